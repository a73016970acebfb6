import { setTimeout as sleep } from "node:timers/promises";
import { ReadGate, ReadQueueTimeout } from "./read-gate.js";

/** A read that ends when the test says so. */
function pending() {
  let end!: () => void;
  const done = new Promise<void>((resolve) => {
    end = resolve;
  });
  return { done, end };
}

describe("ReadGate", () => {
  it("runs at most `limit` reads at once and starts the waiting ones in arrival order", async () => {
    const gate = new ReadGate({ limit: 2, maxWaitMs: 10_000 });
    const reads = Array.from({ length: 5 }, pending);
    const started: number[] = [];
    const runs = reads.map((read, i) =>
      gate.run(async () => {
        started.push(i);
        await read.done;
        return i;
      }),
    );
    await sleep(5);
    expect(started).toEqual([0, 1]);
    expect([gate.active, gate.queued, gate.waits]).toEqual([2, 3, 3]);
    reads[1]!.end();
    await sleep(5);
    expect(started).toEqual([0, 1, 2]);
    for (const read of reads) read.end();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect([gate.active, gate.queued]).toEqual([0, 0]);
  });

  it("answers ReadQueueTimeout to a request that waited too long, and skips it after", async () => {
    const gate = new ReadGate({ limit: 1, maxWaitMs: 20 });
    const first = pending();
    const running = gate.run(() => first.done);
    const late = gate.run(async () => "never");
    await expect(late).rejects.toBeInstanceOf(ReadQueueTimeout);
    expect([gate.queued, gate.timeouts]).toEqual([0, 1]);
    const next = gate.run(async () => "next");
    first.end();
    await running;
    expect(await next).toBe("next");
    expect([gate.active, gate.queued]).toEqual([0, 0]);
  });

  it("frees the slot of a read that fails", async () => {
    const gate = new ReadGate({ limit: 1, maxWaitMs: 1_000 });
    await expect(gate.run(() => Promise.reject(new Error("timeout")))).rejects.toThrow("timeout");
    expect(await gate.run(async () => 1)).toBe(1);
    expect(gate.active).toBe(0);
  });

  it("refuses a limit or a wait below 1", () => {
    expect(() => new ReadGate({ limit: 0, maxWaitMs: 10 })).toThrow(/≥ 1/);
    expect(() => new ReadGate({ limit: 1, maxWaitMs: 0 })).toThrow(/≥ 1/);
  });
});
