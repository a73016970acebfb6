import {
  NotFoundError,
  type PostgresEventStore,
  type Queryable,
  rolloutStreamId,
} from "@statecast/events";
import { asRolloutEvent, evolve, initialState, type RolloutState } from "./domain/index.js";

/** A rollout folded up to `version`; `lastEventId` identifies the event at that version. */
export interface LoadedRollout {
  rolloutId: string;
  state: RolloutState;
  version: number;
  lastEventId: string | null;
}

/**
 * Folded rollout states kept in memory between commands. A large rollout's stream holds tens of
 * thousands of events; refolding it for every device report would be quadratic. A cached entry is
 * used only if the stream still holds the same event at the cached version (a rolled-back write
 * never leaves a wrong state behind); then only the events after it are read.
 */
export class RolloutStates {
  private readonly cache = new Map<string, LoadedRollout>();

  constructor(
    private readonly store: PostgresEventStore,
    /** Rollouts kept folded; the least recently written or read beyond this are refolded. */
    private readonly capacity = 64,
  ) {}

  async load(rolloutId: string, client?: Queryable): Promise<LoadedRollout> {
    const streamId = rolloutStreamId(rolloutId);
    const cached = this.cache.get(rolloutId);
    const head = await this.store.streamHead(
      streamId,
      cached?.version ?? 0,
      client ? { client } : {},
    );
    if (!head) return { rolloutId, state: initialState(), version: 0, lastEventId: null };
    const fresh = cached && cached.lastEventId === head.eventIdAt;
    const base: LoadedRollout = fresh
      ? cached
      : { rolloutId, state: initialState(), version: 0, lastEventId: null };
    if (base.version === head.version) return base;
    const { events } = await this.store.readStream(streamId, {
      fromVersion: base.version + 1,
      ...(client ? { client } : {}),
    });
    const last = events.at(-1);
    const loaded: LoadedRollout = {
      rolloutId,
      state: events.reduce((s, e) => evolve(s, asRolloutEvent(e)), base.state),
      version: last?.streamVersion ?? base.version,
      lastEventId: last?.eventId ?? base.lastEventId,
    };
    // A reader behind an uncommitted write keeps the writer's entry.
    if (!cached || head.version >= cached.version) this.remember(loaded);
    return loaded;
  }

  async loadExisting(rolloutId: string, client?: Queryable): Promise<LoadedRollout> {
    const loaded = await this.load(rolloutId, client);
    if (loaded.state.status === "none") throw new NotFoundError(`rollout ${rolloutId} not found`);
    return loaded;
  }

  remember(loaded: LoadedRollout): void {
    this.cache.delete(loaded.rolloutId); // re-inserted last: the Map's order is recency
    this.cache.set(loaded.rolloutId, loaded);
    if (this.cache.size > this.capacity) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }
}
