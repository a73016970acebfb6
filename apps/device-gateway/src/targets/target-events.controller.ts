import { Controller, Inject } from "@nestjs/common";
import { Payload } from "@nestjs/microservices";
import type { RecordedEvent } from "@statecast/events";
import { OnStreamEvent, OnStreamEvents } from "@statecast/platform";
import { GatewayView } from "../view/gateway-view.js";
import { VIEW_DEVICE_EVENTS } from "../view/view-event-types.js";
import { TargetWriter } from "./target-writer.js";

/** The durable consumer of device events on SC_EVENTS that keeps `sc_targets` (in order). */
export const TARGETS_CONSUMER = "gateway-targets";

/** The device events the view keeps that come before a target (TargetAssigned is handled below). */
const EARLIER_VIEW_EVENTS = VIEW_DEVICE_EVENTS.filter((type) => type !== "TargetAssigned");

/**
 * Device events from SC_EVENTS into `sc_targets`: each handler finishes before the event is
 * acknowledged, and a failure brings the event back (see the events transport).
 */
@Controller()
export class TargetEventsController {
  constructor(
    @Inject(TargetWriter) private readonly writer: TargetWriter,
    @Inject(GatewayView) private readonly view: GatewayView,
  ) {}

  /** In the view first (idempotent; its own consumer records it too): a device told of a target
   * may read its objects at once. */
  @OnStreamEvent(TARGETS_CONSUMER, "TargetAssigned")
  async assigned(@Payload() event: RecordedEvent): Promise<void> {
    await this.view.record(event);
    await this.writer.handle(event);
  }

  /**
   * The device's enrollment, approval and keys, into the view as this consumer passes them (it
   * reads every device event in order): by the time the device's target is written, everything
   * before it in the device's stream is in the view too, whatever the view's own consumer got to.
   * The 10,000-device bench (issue 16) had devices refused their objects as "not enrolled" a
   * second after enrollment: the view's consumer still had thousands of enrollments to go.
   */
  @OnStreamEvents(TARGETS_CONSUMER, EARLIER_VIEW_EVENTS)
  viewed(@Payload() event: RecordedEvent): Promise<void> {
    return this.view.record(event);
  }

  @OnStreamEvent(TARGETS_CONSUMER, "TargetCancelled")
  cancelled(@Payload() event: RecordedEvent): Promise<void> {
    return this.writer.handle(event);
  }

  @OnStreamEvent(TARGETS_CONSUMER, "TargetInstallForced")
  forced(@Payload() event: RecordedEvent): Promise<void> {
    return this.writer.handle(event);
  }

  @OnStreamEvent(TARGETS_CONSUMER, "DeviceCameOnline")
  cameOnline(@Payload() event: RecordedEvent): Promise<void> {
    return this.writer.handle(event);
  }

  @OnStreamEvent(TARGETS_CONSUMER, "UpdateSucceeded")
  succeeded(@Payload() event: RecordedEvent): Promise<void> {
    return this.writer.handle(event);
  }

  @OnStreamEvent(TARGETS_CONSUMER, "DeviceRolledBack")
  rolledBack(@Payload() event: RecordedEvent): Promise<void> {
    return this.writer.handle(event);
  }
}
