import { Controller, Inject } from "@nestjs/common";
import { Payload } from "@nestjs/microservices";
import type { RecordedEvent } from "@statecast/events";
import { OnStreamEvents } from "@statecast/platform";
import { GatewayView } from "./gateway-view.js";
import { VIEW_REVISION_EVENTS, VIEW_TOKEN_EVENTS } from "./view-event-types.js";

/**
 * The durable consumers of SC_EVENTS that keep the gateway's view of tokens and revisions. The
 * device events of the view come with the target consumers (TargetEventsController), which read
 * every device event in order anyway.
 */
export const VIEW_CONSUMERS = [
  { name: "gateway-view-tokens", filterSubject: "sc.evt.enrollment-token.>" },
  { name: "gateway-view-revisions", filterSubject: "sc.evt.revision.*.RevisionPosted" },
] as const;

/**
 * Read by the previous release: every device event a second time, one at a time, for what the
 * target consumers record too (issue 22's `bench:fleet` slowdown). Deleted at start.
 */
export const RETIRED_VIEW_CONSUMERS = ["gateway-view-devices"];

const [tokens, revisions] = VIEW_CONSUMERS;

/**
 * SC_EVENTS into the gateway's view. Each consumer is durable with explicit acks (the events
 * transport): an event is acknowledged once recorded, a failure brings it back, a restart resumes
 * after the last acknowledged one, and recording is by event id, so a redelivery adds nothing.
 * Events of other types (reports above all) are acknowledged unread.
 */
@Controller()
export class ViewEventsController {
  constructor(@Inject(GatewayView) private readonly view: GatewayView) {}

  @OnStreamEvents(tokens.name, VIEW_TOKEN_EVENTS)
  token(@Payload() event: RecordedEvent): Promise<void> {
    return this.view.record(event);
  }

  @OnStreamEvents(revisions.name, VIEW_REVISION_EVENTS)
  revision(@Payload() event: RecordedEvent): Promise<void> {
    return this.view.record(event);
  }
}
