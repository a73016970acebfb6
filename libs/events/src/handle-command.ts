import type { StreamAppend } from "./append-many.js";
import type { NewEvent, RecordedEvent } from "./envelope.js";
import type { PostgresEventStore, ReadStreamResult } from "./postgres-event-store.js";
import { type RetryPolicy, withRetry } from "./retry-policy.js";

/** Overrides of the one retry policy (`DEFAULT_RETRY_POLICY`) for a command. */
export type HandleCommandOptions = Partial<RetryPolicy>;

export interface CommandOutcome<State> {
  state: State;
  /** What `decide` produced (and was appended) on the attempt that won. */
  events: NewEvent[];
  /** Stream version after the command; unchanged when `decide` produced nothing. */
  version: number;
}

/**
 * Read the stream, fold it with `evolve`, `decide`, append with the version read. On a conflict
 * another writer got there first: re-read and decide again (`withRetry`).
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
  return withRetry(
    `command on ${streamId}`,
    async () => {
      const { events: history, version } = await store.readStream(streamId);
      const state = history.reduce(evolve, initial());
      const events = decide(state);
      if (events.length === 0) return { state, events, version };
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
    },
    options,
  );
}

/** Events a command appends to one stream. */
export interface StreamEvents {
  streamId: string;
  events: readonly NewEvent[];
}

/** What a multi-stream command decided: events for some of the streams read, and its answer. */
export interface MultiStreamDecision<Result> {
  /** Events by stream; every stream named here must be one of those read. */
  events: readonly StreamEvents[];
  result: Result;
}

export interface MultiStreamOutcome<Result> {
  result: Result;
  /** Each written stream's version after the command (empty when nothing was written). */
  versions: Map<string, number>;
}

/**
 * The multi-stream command handler (Emmett's `CommandHandler`, across streams): read every
 * stream in `streamIds`, let `decide` look at them all, then append its events to each stream
 * with the version read, in ONE statement (all or nothing). If any of those streams moved
 * meanwhile, nothing is written and the command runs again from a fresh read (`withRetry`).
 * `decide` may answer without events (a refusal, nothing to do) or throw to end the command.
 */
export async function handleMultiStreamCommand<Result>(
  store: PostgresEventStore,
  streamIds: readonly string[],
  decide: (
    streams: ReadonlyMap<string, ReadStreamResult>,
  ) => MultiStreamDecision<Result> | Promise<MultiStreamDecision<Result>>,
  options: HandleCommandOptions = {},
): Promise<MultiStreamOutcome<Result>> {
  return withRetry(
    `command on ${streamIds.join(", ")}`,
    async () => {
      const streams = await store.readStreams(streamIds);
      const decision = await decide(streams);
      const appends: StreamAppend[] = [];
      for (const { streamId, events } of decision.events) {
        if (events.length === 0) continue;
        const read = streams.get(streamId);
        if (!read) throw new Error(`command appends to ${streamId}, a stream it did not read`);
        const expectedVersion = read.version === 0 ? "no_stream" : read.version;
        appends.push({ streamId, events, expectedVersion });
      }
      if (appends.length === 0) return { result: decision.result, versions: new Map() };
      const { versions } = await store.appendMany(appends);
      return { result: decision.result, versions };
    },
    options,
  );
}
