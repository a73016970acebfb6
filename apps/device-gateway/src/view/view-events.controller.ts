import { Controller, Inject } from "@nestjs/common";
import { Payload } from "@nestjs/microservices";
import type { RecordedEvent } from "@statecast/events";
import { type DurableConsumerSpec, OnStreamEvents } from "@statecast/platform";
import { GatewayView } from "./gateway-view.js";
import { VIEW_DEVICE_EVENTS, VIEW_REVISION_EVENTS, VIEW_TOKEN_EVENTS } from "./view-event-types.js";

/**
 * The durable consumers of SC_EVENTS that keep the gateway's view, one per kind of stream. The
 * device events (15 a device in a rollout, a few of them viewed) are taken many at a time by
 * one replica under a lease, 8 devices at once, each device's in order: one at a time, an acknowledgement round trip each, this
 * consumer and the target consumer lagged a wave behind in `bench:fleet` (issue 22).
 */
export const VIEW_CONSUMERS = [
  { name: "gateway-view-devices", filterSubject: "sc.evt.device.>", inFlight: 256, concurrency: 8 },
  { name: "gateway-view-tokens", filterSubject: "sc.evt.enrollment-token.>" },
  { name: "gateway-view-revisions", filterSubject: "sc.evt.revision.*.RevisionPosted" },
] as const satisfies readonly DurableConsumerSpec[];

const [devices, tokens, revisions] = VIEW_CONSUMERS;

/**
 * SC_EVENTS into the gateway's view. Each consumer is durable with explicit acks (the events
 * transport): an event is acknowledged once recorded, a failure brings it back, a restart resumes
 * after the last acknowledged one, and recording is by event id, so a redelivery adds nothing.
 * Events of other types (reports above all) are acknowledged unread.
 */
@Controller()
export class ViewEventsController {
  constructor(@Inject(GatewayView) private readonly view: GatewayView) {}

  @OnStreamEvents(devices.name, VIEW_DEVICE_EVENTS)
  device(@Payload() event: RecordedEvent): Promise<void> {
    return this.view.record(event);
  }

  @OnStreamEvents(tokens.name, VIEW_TOKEN_EVENTS)
  token(@Payload() event: RecordedEvent): Promise<void> {
    return this.view.record(event);
  }

  @OnStreamEvents(revisions.name, VIEW_REVISION_EVENTS)
  revision(@Payload() event: RecordedEvent): Promise<void> {
    return this.view.record(event);
  }
}
