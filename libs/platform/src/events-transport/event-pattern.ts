import { EventPattern } from "@nestjs/microservices";

/**
 * What a JetStream event handler binds to: the durable consumer it belongs to and the event type
 * (the relay's `Sc-Event-Type` header). Handlers of one consumer see its events in stream order.
 */
export interface JetStreamEventPattern {
  consumer: string;
  type: string;
}

/** `@EventPattern` for one event type on one durable consumer of the events transport. */
export function OnStreamEvent(consumer: string, type: string): MethodDecorator {
  return EventPattern({ consumer, type } satisfies JetStreamEventPattern);
}

/** `OnStreamEvent` for several event types of one durable consumer, on one handler. */
export function OnStreamEvents(consumer: string, types: readonly string[]): MethodDecorator {
  return EventPattern(types.map((type) => ({ consumer, type }) satisfies JetStreamEventPattern));
}
