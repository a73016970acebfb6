import type { UpdateLock } from "../control/update-locks.js";
import type { ReportInput } from "../report/report.js";
import type { ApplyContext } from "./apply-context.js";
import { waitForWindow } from "./window-wait.js";

const nightly = { name: "nightly", cron: "0 2 * * *", durationMinutes: 60, timeZone: "UTC" };

/** The part of the agent the wait uses: the report journal, the log, the held locks, watchers. */
function anAgent(locks: UpdateLock[][] = []) {
  const reports: ReportInput[] = [];
  const ctx = {
    journal: { report: async (r: ReportInput) => reports.push(r) },
    log: { info: () => {} },
    control: { heldLocks: async () => locks.shift() ?? [] },
    watchCommitted: () => {},
    suspendWatchers: async () => {},
  } as unknown as ApplyContext;
  return { ctx, reports };
}

/** A clock that reads `first` once, then `later` on every read after. */
function clockOf(first: string, later: string) {
  let reads = 0;
  return () => new Date(reads++ === 0 ? first : later);
}

describe("an install waiting for its maintenance window", () => {
  it("reports download-only with the window and its opening, then goes on when it opens", async () => {
    const { ctx, reports } = anAgent();
    const clock = clockOf("2026-05-01T01:59:59.000Z", "2026-05-01T02:00:01.000Z");
    await waitForWindow(ctx, "main#2", { windows: [nightly] }, new AbortController().signal, clock);
    expect(reports).toEqual([
      {
        revision: "main#2",
        status: "DOWNLOADING",
        progress: 100,
        reason: "waiting_for_window",
        message:
          "downloaded; waiting for maintenance window nightly (opens 2026-05-01T02:00:00.000Z)",
      },
    ]);
  });

  it("goes on at once inside the window, without windows, or when an operator forced it", async () => {
    const { ctx, reports } = anAgent();
    const signal = new AbortController().signal;
    const inside = () => new Date("2026-05-01T02:30:00.000Z");
    const outside = () => new Date("2026-05-01T12:00:00.000Z");
    await waitForWindow(ctx, "main#2", { windows: [nightly] }, signal, inside);
    await waitForWindow(ctx, "main#2", {}, signal, outside);
    await waitForWindow(ctx, "main#2", { windows: [nightly], installNow: true }, signal, outside);
    expect(reports).toEqual([]);
  });

  it("an operator's force while it waits releases it (the re-signed target's installNow)", async () => {
    const { ctx, reports } = anAgent();
    const force = new AbortController();
    const outside = () => new Date("2026-05-01T12:00:00.000Z");
    const gate = { windows: [nightly], forced: force.signal };
    const waiting = waitForWindow(ctx, "main#2", gate, new AbortController().signal, outside);
    setTimeout(() => force.abort(), 20);
    await expect(waiting).resolves.toBeUndefined();
    expect(reports.map((r) => r.reason)).toEqual(["waiting_for_window"]);
  });

  it("a newer target aborts the wait", async () => {
    const { ctx } = anAgent();
    const newer = new AbortController();
    const outside = () => new Date("2026-05-01T12:00:00.000Z");
    const waiting = waitForWindow(ctx, "main#2", { windows: [nightly] }, newer.signal, outside);
    setTimeout(() => newer.abort(), 20);
    await expect(waiting).rejects.toMatchObject({ reason: "superseded" });
  });
});

describe("an install held by an app's update lock", () => {
  const lock: UpdateLock = {
    container: "app",
    holder: "vending-sale",
    since: "2026-05-01T12:00:00.000Z",
    via: "socket",
  };

  it("waits while the lock is held, says by whom and since when, and goes on once released", async () => {
    const { ctx, reports } = anAgent([[lock], [lock], []]);
    await waitForWindow(ctx, "main#2", {}, new AbortController().signal);
    expect(reports).toEqual([
      {
        revision: "main#2",
        status: "DOWNLOADING",
        progress: 100,
        reason: "waiting_for_lock",
        message:
          "downloaded; held by the update lock of app (holder vending-sale) since 2026-05-01T12:00:00.000Z",
      },
    ]);
  });

  it("an operator's forced install does not wait for a lock", async () => {
    const { ctx, reports } = anAgent([[lock]]);
    await waitForWindow(ctx, "main#2", { installNow: true }, new AbortController().signal);
    expect(reports).toEqual([]);
  });
});
