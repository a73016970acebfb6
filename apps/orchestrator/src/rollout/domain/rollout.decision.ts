import { IllegalStateError, ValidationError } from "@statecast/events";
import type { RolloutEvent } from "./rollout.events.js";
import type { RolloutDecision, RolloutOutputCommand } from "./rollout.inputs.js";
import type { RolloutState, StartedRolloutState } from "./rollout.js";
import { evolve, isStarted } from "./rollout.js";

/**
 * Accumulates what one input decides. Every emitted event is folded into `state` at once, so a
 * handler can cascade (a gate passes → the next wave starts → its gate already holds …) while
 * reading the state exactly as a replay of the same events would build it.
 */
export class Decision {
  private readonly events: RolloutEvent[] = [];
  private readonly commands: RolloutOutputCommand[] = [];

  constructor(public state: RolloutState) {}

  emit(event: RolloutEvent): void {
    this.events.push(event);
    this.state = evolve(this.state, event);
  }

  send(command: RolloutOutputCommand): void {
    this.commands.push(command);
  }

  started(): StartedRolloutState {
    if (!isStarted(this.state))
      throw new IllegalStateError(`rollout is ${this.state.status}, not started`);
    return this.state;
  }

  result(): RolloutDecision {
    return { events: this.events, commands: this.commands };
  }
}

export const SYSTEM_ACTOR = "system:rollout-process-manager";

export function addSeconds(instant: string, seconds: number): string {
  return new Date(Date.parse(instant) + seconds * 1000).toISOString();
}

/** `now` must be an ISO-8601 instant: it is the only clock the decider has. */
export function assertInstant(now: unknown): asserts now is string {
  if (typeof now !== "string" || Number.isNaN(Date.parse(now)))
    throw new ValidationError(`now must be an ISO-8601 instant, got ${JSON.stringify(now)}`, {
      details: [{ path: "now", message: "is not an ISO-8601 instant" }],
    });
}
