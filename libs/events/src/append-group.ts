import type pg from "pg";
import { type EncodedEvents, intArray, jsonArray, plainTextArray } from "./append-encoding.js";
import { APPEND_GROUP, type AppendGroupRow } from "./append-group-sql.js";

/** One caller's append, validated and encoded, waiting for a group. */
export interface PendingAppend {
  streamId: string;
  streamType: string;
  /** null: any; 0: the stream must not exist; n: the stream is at n. */
  expected: number | null;
  events: EncodedEvents;
}

export interface GroupedAppendResult {
  nextExpectedVersion: number;
  lastGlobalPosition: bigint;
}

// Bounds one statement's size (parameters are held in memory on both sides).
const MAX_GROUP_STREAMS = 256;
const MAX_GROUP_EVENTS = 5_000;

interface Waiting {
  append: PendingAppend;
  resolve: (result: GroupedAppendResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for appends made outside a caller's transaction. At most `maxInFlight` statements
 * run at once; appends arriving meanwhile wait and go together in the next statement (one round
 * trip, one transaction, one WAL flush), each with its own expectation. An append alone goes
 * straight out, so a quiet caller waits for nothing. A stream waits while it is in a statement
 * in flight, so one process never sends two appends of a stream at the same time.
 *
 * `alone` is the one-stream append; a stream refused in a group is retried through it (which
 * writes or says why not), and so is every append of a group whose statement failed (a duplicate
 * event id, a deadlock): each caller gets its own outcome, as if it had appended alone.
 */
export class AppendGroupCommitter {
  private pending: Waiting[] = [];
  private readonly busy = new Set<string>();
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly maxInFlight: number,
    private readonly alone: (append: PendingAppend) => Promise<GroupedAppendResult>,
    private readonly onCommitted: () => void,
  ) {}

  submit(append: PendingAppend): Promise<GroupedAppendResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ append, resolve, reject });
      this.schedule();
    });
  }

  // Deferred to the next turn of the event loop so that the callers resumed by one statement's
  // results (and anything else that runs this turn) join the next group instead of racing it.
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  // Pending appends are shared out over the free statement slots rather than all sent in one:
  // callers resumed together would otherwise move as one convoy, one statement at a time, and
  // Postgres would sit idle during each WAL flush instead of executing the next group.
  private pump(): void {
    while (this.inFlight < this.maxInFlight) {
      const share = Math.ceil(this.pending.length / (this.maxInFlight - this.inFlight));
      const group = this.takeGroup(share);
      if (group.length === 0) return;
      this.inFlight++;
      for (const w of group) this.busy.add(w.append.streamId);
      void this.run(group).finally(() => {
        this.inFlight--;
        for (const w of group) this.busy.delete(w.append.streamId);
        this.schedule();
      });
    }
  }

  /** Oldest first, one append per stream, streams in flight skipped (they keep their turn). */
  private takeGroup(maxStreams: number): Waiting[] {
    const group: Waiting[] = [];
    const rest: Waiting[] = [];
    const streams = new Set<string>();
    let events = 0;
    for (const w of this.pending) {
      const { streamId, events: encoded } = w.append;
      const fits =
        group.length === 0 ||
        (group.length < Math.min(maxStreams, MAX_GROUP_STREAMS) &&
          events + encoded.count <= MAX_GROUP_EVENTS);
      if (fits && !streams.has(streamId) && !this.busy.has(streamId)) {
        group.push(w);
        streams.add(streamId);
        events += encoded.count;
      } else {
        rest.push(w);
      }
    }
    this.pending = rest;
    return group;
  }

  private async run(group: Waiting[]): Promise<void> {
    if (group.length === 1) {
      await this.settleAlone(group);
      return;
    }
    let rows: AppendGroupRow[];
    try {
      rows = (await this.pool.query<AppendGroupRow>(groupParameters(group))).rows;
    } catch {
      // Which append broke the statement is for each to find out alone.
      await this.settleAlone(group);
      return;
    }
    const refused: Waiting[] = [];
    let committed = false;
    group.forEach((w, i) => {
      const row = rows[i];
      if (row?.version == null || row.last_position == null) {
        refused.push(w);
        return;
      }
      committed = true;
      w.resolve({
        nextExpectedVersion: row.version,
        lastGlobalPosition: BigInt(row.last_position),
      });
    });
    if (committed) this.onCommitted();
    await this.settleAlone(refused);
  }

  private async settleAlone(group: Waiting[]): Promise<void> {
    await Promise.all(group.map((w) => this.alone(w.append).then(w.resolve, w.reject)));
  }
}

function groupParameters(group: Waiting[]) {
  const streams = { ids: [] as string[], types: [] as string[], expected: [] as (number | null)[] };
  const counts: number[] = [];
  const ev = {
    slots: [] as number[],
    ids: [] as string[],
    types: [] as string[],
    schemaVersions: [] as number[],
    data: [] as string[],
    metadataIndex: [] as number[],
    offsets: [] as number[],
  };
  const metadata: string[] = [];
  group.forEach(({ append }, i) => {
    const e = append.events;
    streams.ids.push(append.streamId);
    streams.types.push(append.streamType);
    streams.expected.push(append.expected);
    counts.push(e.count);
    const metadataBase = metadata.length;
    metadata.push(...e.metadata);
    for (let j = 0; j < e.count; j++) {
      ev.slots.push(i + 1);
      ev.offsets.push(j + 1);
      ev.metadataIndex.push(metadataBase + (e.metadataIndex[j] as number));
    }
    ev.ids.push(...e.ids);
    ev.types.push(...e.types);
    ev.schemaVersions.push(...e.schemaVersions);
    ev.data.push(...e.data);
  });
  return {
    ...APPEND_GROUP,
    values: [
      streams.ids,
      streams.types,
      streams.expected,
      counts,
      intArray(ev.slots),
      plainTextArray(ev.ids),
      plainTextArray(ev.types),
      intArray(ev.schemaVersions),
      jsonArray(ev.data),
      jsonArray(metadata),
      intArray(ev.metadataIndex),
      intArray(ev.offsets),
    ],
  };
}
