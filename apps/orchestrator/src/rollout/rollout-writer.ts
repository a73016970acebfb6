import { randomUUID } from "node:crypto";
import {
  type EventMetadata,
  type NewEvent,
  type PostgresEventStore,
  rolloutStreamId,
} from "@statecast/events";
import type pg from "pg";
import {
  decide,
  evolve,
  type RolloutEvent,
  type RolloutInput,
  type RolloutOutputCommand,
} from "./domain/index.js";
import { RolloutEffects } from "./rollout-effects.js";
import type { LoadedRollout, RolloutStates } from "./rollout-states.js";

export interface Written {
  loaded: LoadedRollout;
  events: RolloutEvent[];
}

/**
 * One unit of work on a rollout, inside the caller's transaction: decide each input in order,
 * append the resulting events with the expected version, then carry out the decider's commands
 * (targets on device streams, timers, rollback rollouts) and update the rollout tables. Everything
 * commits together or not at all, so a crash or a retried batch never half-applies a decision.
 */
export class RolloutWriter {
  private readonly effects: RolloutEffects;

  constructor(
    private readonly store: PostgresEventStore,
    private readonly states: RolloutStates,
  ) {
    this.effects = new RolloutEffects(store, this);
  }

  async apply(
    client: pg.ClientBase,
    rolloutId: string,
    inputs: readonly RolloutInput[],
    metadata: EventMetadata,
    onRefused?: (input: RolloutInput, error: unknown) => void,
  ): Promise<Written> {
    const loaded = await this.states.load(rolloutId, client);
    let state = loaded.state;
    const events: RolloutEvent[] = [];
    const commands: RolloutOutputCommand[] = [];
    for (const input of inputs) {
      let decision: ReturnType<typeof decide>;
      try {
        decision = decide(input, state);
      } catch (error) {
        if (!onRefused) throw error;
        onRefused(input, error);
        continue;
      }
      for (const event of decision.events) state = evolve(state, event);
      events.push(...decision.events);
      commands.push(...decision.commands);
    }
    if (events.length === 0 && commands.length === 0) return { loaded, events };
    let next = loaded;
    if (events.length > 0) {
      const stamped: NewEvent[] = events.map((e) => ({ ...e, eventId: randomUUID(), metadata }));
      const appended = await this.store.append(rolloutStreamId(rolloutId), stamped, {
        expectedVersion: loaded.version === 0 ? "no_stream" : loaded.version,
        client,
      });
      next = {
        rolloutId,
        state,
        version: appended.nextExpectedVersion,
        lastEventId: stamped.at(-1)?.eventId ?? null,
      };
      await this.effects.recordSummary(client, next, events, metadata.now);
    }
    await this.effects.carryOut(client, commands, metadata);
    return { loaded: next, events };
  }
}
