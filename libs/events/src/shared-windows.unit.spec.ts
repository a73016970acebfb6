import type { RecordedEvent } from "./envelope.js";
import { comparePositions, type LogPosition, START } from "./positions.js";
import type { Queryable } from "./postgres-event-store.js";
import { type ReadWindow, SharedWindows } from "./shared-windows.js";

const db = {} as Queryable;

/** A log as read-all sees it: events appended in commit order, read after a position. */
function aLog() {
  const events: RecordedEvent[] = [];
  const queries: { after: LogPosition; limit: number }[] = [];
  const append = (count: number, type = "A") => {
    for (let i = 0; i < count; i++) {
      const n = BigInt(events.length + 1);
      events.push({
        globalPosition: n,
        transactionId: 100n + n / 3n,
        streamId: `s-${n}`,
        streamVersion: 1,
        eventId: `e-${n}`,
        type: i % 2 === 0 ? type : "B",
        schemaVersion: 1,
        data: {},
        metadata: {
          actor: "system:test",
          correlationId: "c",
          causationId: "c",
          now: "1970-01-01T00:00:00.000Z",
        },
        recordedAt: new Date(0),
      });
    }
  };
  const read: ReadWindow = async (_db, after, limit) => {
    queries.push({ after, limit });
    await Promise.resolve();
    const next = events.filter((e) => comparePositions(at(e), after) > 0).slice(0, limit);
    const last = next.at(-1);
    return { events: next, position: last ? at(last) : after };
  };
  return { events, queries, append, read };
}

const at = (e: RecordedEvent): LogPosition => ({
  transactionId: e.transactionId,
  globalPosition: e.globalPosition,
});
const numbers = (events: readonly RecordedEvent[]) => events.map((e) => Number(e.globalPosition));

describe("windows of the log shared between a process's processors", () => {
  it("reads a stretch once for the readers at the same place, each cut to its own batch and types", async () => {
    const log = aLog();
    log.append(10);
    const windows = new SharedWindows(log.read);
    const [all, some, typed] = await Promise.all([
      windows.readAll(db, { after: START, limit: 500 }),
      windows.readAll(db, { after: START, limit: 4 }),
      windows.readAll(db, { after: START, limit: 4, types: ["A"] }),
    ]);
    expect(log.queries).toEqual([{ after: START, limit: 1000 }]);
    expect(numbers(all.events)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(numbers(some.events)).toEqual([1, 2, 3, 4]);
    // Only the wanted type, but the position moves past the whole window read.
    expect(numbers(typed.events)).toEqual([1, 3]);
    expect(typed.position).toEqual(at(log.events[3] as RecordedEvent));
  });

  it("serves a reader behind the head from memory, and asks Postgres once it is at the end", async () => {
    const log = aLog();
    log.append(10);
    const windows = new SharedWindows(log.read);
    const first = await windows.readAll(db, { after: START, limit: 4 });
    const second = await windows.readAll(db, { after: first.position, limit: 4 });
    const third = await windows.readAll(db, { after: second.position, limit: 4 });
    expect(numbers([...first.events, ...second.events, ...third.events])).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    expect(windows.counts).toEqual({ shared: 2, queried: 1 });
    // At the end of what was read: never "nothing new" from memory; Postgres has two more.
    log.append(2);
    const fourth = await windows.readAll(db, { after: third.position, limit: 4 });
    expect(numbers(fourth.events)).toEqual([11, 12]);
    const none = await windows.readAll(db, { after: fourth.position, limit: 4 });
    expect(none).toEqual({ events: [], position: fourth.position });
    expect(windows.counts).toEqual({ shared: 2, queried: 3 });
    expect(log.queries.map((q) => Number(q.after.globalPosition))).toEqual([0, 10, 12]);
  });

  it("keeps no empty read, and lets the oldest stretches go past its bound", async () => {
    const log = aLog();
    const windows = new SharedWindows(log.read);
    expect(await windows.readAll(db, { after: START, limit: 10 })).toEqual({
      events: [],
      position: START,
    });
    log.append(3);
    expect(numbers((await windows.readAll(db, { after: START, limit: 10 })).events)).toEqual([
      1, 2, 3,
    ]);
    // Six stretches of 1,000: the first ones are let go, the newest still served.
    let position = at(log.events[2] as RecordedEvent);
    for (let i = 0; i < 6; i++) {
      log.append(1000);
      position = (await windows.readAll(db, { after: position, limit: 1000 })).position;
    }
    const queried = windows.counts.queried;
    await windows.readAll(db, { after: START, limit: 10 });
    expect(windows.counts.queried).toBe(queried + 1);
    const recent = at(log.events[5500] as RecordedEvent);
    expect(numbers((await windows.readAll(db, { after: recent, limit: 2 })).events)).toEqual([
      5502, 5503,
    ]);
    expect(windows.counts.queried).toBe(queried + 1);
  });

  it("lets every reader of a failed read see the failure, and the next read try again", async () => {
    const log = aLog();
    log.append(2);
    let fail = true;
    const windows = new SharedWindows(async (d, after, limit) => {
      if (fail) throw new Error("connection lost");
      return log.read(d, after, limit);
    });
    const reads = [1, 2].map(() => windows.readAll(db, { after: START, limit: 5 }));
    await expect(Promise.all(reads)).rejects.toThrow("connection lost");
    await Promise.allSettled(reads);
    fail = false;
    expect(numbers((await windows.readAll(db, { after: START, limit: 5 })).events)).toEqual([1, 2]);
  });
});
