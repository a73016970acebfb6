import { setTimeout as sleep } from "node:timers/promises";
import type { NewEvent, RecordedEvent } from "./envelope.js";
import { ConcurrencyError } from "./errors.js";
import type { PostgresEventStore } from "./postgres-event-store.js";

export interface HandleCommandOptions {
  /** Attempts in total, including the first (default 5). */
  maxAttempts?: number;
  /** First backoff; doubled after each conflict, with jitter (default 5 ms). */
  baseDelayMs?: number;
}

export interface CommandOutcome<State> {
  state: State;
  /** What `decide` produced (and was appended) on the attempt that won. */
  events: NewEvent[];
  /** Stream version after the command; unchanged when `decide` produced nothing. */
  version: number;
}

/**
 * Read the stream, fold it with `evolve`, `decide`, append with the version read. On a
 * ConcurrencyError another writer got there first: re-read and decide again, with backoff.
 * `decide` may throw (IllegalStateError, ValidationError): that ends the command untouched.
 */
export async function handleCommand<State>(
  store: PostgresEventStore,
  streamId: string,
  decide: (state: State) => NewEvent[],
  evolve: (state: State, event: RecordedEvent) => State,
  initial: () => State,
  options: HandleCommandOptions = {},
): Promise<CommandOutcome<State>> {
  const maxAttempts = options.maxAttempts ?? 5;
  const baseDelayMs = options.baseDelayMs ?? 5;
  for (let attempt = 1; ; attempt++) {
    const { events: history, version } = await store.readStream(streamId);
    const state = history.reduce(evolve, initial());
    const events = decide(state);
    if (events.length === 0) return { state, events, version };
    try {
      const appended = await store.append(streamId, events, {
        expectedVersion: version === 0 ? "no_stream" : version,
      });
      const { events: recorded } = await store.readStream(streamId, {
        fromVersion: version + 1,
        toVersion: appended.nextExpectedVersion,
      });
      return {
        state: recorded.reduce(evolve, state),
        events,
        version: appended.nextExpectedVersion,
      };
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || attempt >= maxAttempts) throw error;
      const delay = baseDelayMs * 2 ** (attempt - 1);
      await sleep(delay / 2 + Math.random() * delay);
    }
  }
}
