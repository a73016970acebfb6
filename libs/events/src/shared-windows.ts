import type { RecordedEvent } from "./envelope.js";
import type { LogPosition } from "./positions.js";
import type { Queryable, ReadAllOptions, ReadAllResult } from "./postgres-event-store.js";

/** Reads `limit` events after a position, every type, as the store's read-all does. */
export type ReadWindow = (
  db: Queryable,
  after: LogPosition,
  limit: number,
) => Promise<ReadAllResult>;

/** A stretch of the log read once: every event after `from`, in read-all order, none left out. */
interface Segment {
  from: LogPosition;
  events: RecordedEvent[];
}

/** Events a read asks for at least (if there are), so processors with larger batches share it. */
const READ_AHEAD = 1000;
/** Events kept in memory, oldest stretches let go first. */
const KEPT_EVENTS = 5000;

const positionOf = (e: RecordedEvent): LogPosition => ({
  transactionId: e.transactionId,
  globalPosition: e.globalPosition,
});
const keyOf = (p: LogPosition) => `${p.transactionId}:${p.globalPosition}`;

/**
 * The processors of one process (projections, the process manager, the relay) each read the log
 * after every commit, mostly the same stretch: without this each read is a query of its own, one
 * per processor per wake (13,556 reads in a profiled 10,000-device rollout; issue 16). Here a
 * stretch is read once, every type, and served to each processor from memory.
 *
 * Why a kept stretch stays right: read-all returns only rows of transactions below the snapshot's
 * xmin, all finished, and any transaction committing later has an id at or above that xmin, so it
 * sorts after every row returned. The events between a read's `after` and its last row are
 * therefore all there will ever be. A stretch is served only from a position inside it and only
 * when at least one event follows that position in it; "nothing new" is never answered from
 * memory, so a processor at the head always asks Postgres. Concurrent readers at the same position
 * share one query. Events are shared between processors: handlers must not mutate them.
 */
export class SharedWindows {
  private segments: Segment[] = [];
  private kept = 0;
  /** Each kept position (a stretch's start, each of its events) → its stretch and the next index. */
  private readonly next = new Map<string, { segment: Segment; index: number }>();
  private readonly pending = new Map<string, Promise<Segment>>();
  /** Reads served from memory and reads that went to Postgres (the tests read them). */
  readonly counts = { shared: 0, queried: 0 };

  constructor(private readonly readWindow: ReadWindow) {}

  async readAll(db: Queryable, options: ReadAllOptions): Promise<ReadAllResult> {
    const { after, limit, types } = options;
    const key = keyOf(after);
    const held = this.next.get(key);
    // Served from memory only when at least one event follows: never "nothing new".
    if (held && held.index < held.segment.events.length) {
      this.counts.shared++;
      return cut(held.segment.events, held.index, limit, types, after);
    }
    let loading = this.pending.get(key);
    if (!loading) {
      this.counts.queried++;
      loading = this.load(db, after, Math.max(limit, READ_AHEAD));
      this.pending.set(key, loading);
      const forget = () => this.pending.delete(key);
      loading.then(forget, forget);
    }
    const segment = await loading;
    return cut(segment.events, 0, limit, types, after);
  }

  private async load(db: Queryable, after: LogPosition, limit: number): Promise<Segment> {
    const { events } = await this.readWindow(db, after, limit);
    const segment = { from: after, events };
    if (events.length > 0) this.keep(segment);
    return segment;
  }

  private keep(segment: Segment): void {
    this.segments.push(segment);
    this.kept += segment.events.length;
    this.next.set(keyOf(segment.from), { segment, index: 0 });
    segment.events.forEach((event, i) => {
      this.next.set(keyOf(positionOf(event)), { segment, index: i + 1 });
    });
    while (this.kept > KEPT_EVENTS && this.segments.length > 1) {
      const old = this.segments.shift() as Segment;
      this.kept -= old.events.length;
      for (const p of [old.from, ...old.events.map(positionOf)]) {
        const key = keyOf(p);
        if (this.next.get(key)?.segment === old) this.next.delete(key);
      }
    }
  }
}

/** Up to `limit` events from `start`; the position moves past all of them, wanted or not. */
function cut(
  events: readonly RecordedEvent[],
  start: number,
  limit: number,
  types: readonly string[] | undefined,
  after: LogPosition,
): ReadAllResult {
  const window = events.slice(start, start + limit);
  const last = window.at(-1);
  const wanted = types ? window.filter((e) => types.includes(e.type)) : window;
  return { events: wanted, position: last ? positionOf(last) : after };
}
