import { Controller, Inject } from "@nestjs/common";
import { Payload } from "@nestjs/microservices";
import type { RecordedEvent } from "@statecast/events";
import { OnStreamEvent } from "@statecast/platform";
import { TargetWriter } from "./target-writer.js";

/** The durable consumer of device events on SC_EVENTS that keeps `sc_targets` (in order). */
export const TARGETS_CONSUMER = "gateway-targets";

/**
 * Device events from SC_EVENTS into `sc_targets`: each handler finishes before the event is
 * acknowledged, and a failure brings the event back (see the events transport).
 */
@Controller()
export class TargetEventsController {
  constructor(@Inject(TargetWriter) private readonly writer: TargetWriter) {}

  @OnStreamEvent(TARGETS_CONSUMER, "TargetAssigned")
  assigned(@Payload() event: RecordedEvent): Promise<void> {
    return this.writer.handle(event);
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
