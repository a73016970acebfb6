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

/** A rollout's folded states: the latest one remembered, and the one it replaced. */
interface Kept {
  latest: LoadedRollout;
  earlier: LoadedRollout | undefined;
}

/**
 * Folded rollout states kept in memory between commands. A large rollout's stream holds tens of
 * thousands of events; refolding it for every device report would be quadratic. A cached entry is
 * used only if the stream still holds the same event at the cached version (a rolled-back write
 * never leaves a wrong state behind); then only the events after it are read.
 *
 * The writers remember their state before they commit, so a reader outside their transaction
 * (`GET …/progress`, every second in the console and the bench) finds the latest entry ahead of
 * what it can see. The state that entry replaced is kept too and serves that reader; without it,
 * each such read folded the whole stream again (10,000 devices: ~150,000 events, about a second
 * of the orchestrator's CPU per read; issue 16).
 */
export class RolloutStates {
  private readonly cache = new Map<string, Kept>();

  constructor(
    private readonly store: PostgresEventStore,
    /** Rollouts kept folded; the least recently written or read beyond this are refolded. */
    private readonly capacity = 64,
  ) {}

  async load(rolloutId: string, client?: Queryable): Promise<LoadedRollout> {
    const streamId = rolloutStreamId(rolloutId);
    const on = client ? { client } : {};
    const kept = this.cache.get(rolloutId);
    const cached = kept?.latest;
    const head = await this.store.streamHead(streamId, cached?.version ?? 0, on);
    if (!head) return { rolloutId, state: initialState(), version: 0, lastEventId: null };
    let base: LoadedRollout | undefined =
      cached?.lastEventId === head.eventIdAt ? cached : undefined;
    const earlier = kept?.earlier;
    if (!base && earlier && earlier.version > 0 && earlier.version <= head.version) {
      const at = await this.store.streamHead(streamId, earlier.version, on);
      if (at?.eventIdAt === earlier.lastEventId) base = earlier;
    }
    base ??= { rolloutId, state: initialState(), version: 0, lastEventId: null };
    if (base.version === head.version) return base;
    const { events } = await this.store.readStream(streamId, {
      fromVersion: base.version + 1,
      ...on,
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
    const kept = this.cache.get(loaded.rolloutId);
    this.cache.delete(loaded.rolloutId); // re-inserted last: the Map's order is recency
    const latest = kept?.latest;
    const earlier = latest && latest.version < loaded.version ? latest : kept?.earlier;
    this.cache.set(loaded.rolloutId, { latest: loaded, earlier });
    if (this.cache.size > this.capacity) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }
}
