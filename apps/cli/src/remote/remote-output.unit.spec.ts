import { parseFleetRef } from "./clone.js";
import { editTags } from "./devices-api.js";
import { forEachLimit } from "./parallel.js";
import { formatBytes, TransferProgress } from "./progress.js";
import { definitionFromFlags } from "./rollout-definition.js";
import { type RolloutView, rolloutLine, type WaveView } from "./rollout-view.js";
import { table } from "./table.js";

describe("transfer progress", () => {
  it("prints one plain line per object when not a terminal", () => {
    let out = "";
    const progress = new TransferProgress(
      (t) => {
        out += t;
      },
      false,
      "upload",
      2,
      3072,
    );
    progress.advance(1024);
    progress.finished("a".repeat(64), 1024);
    progress.advance(2048);
    progress.finished("b".repeat(64), 2048);
    progress.done();
    expect(out).toBe("upload aaaaaaaaaaaa (1.0 KiB) [1/2]\nupload bbbbbbbbbbbb (2.0 KiB) [2/2]\n");
  });

  it("redraws one line with a bar and byte counts on a terminal", () => {
    let out = "";
    const progress = new TransferProgress(
      (t) => {
        out += t;
      },
      true,
      "upload",
      2,
      2048,
    );
    progress.advance(1024);
    progress.finished("a".repeat(64), 1024);
    progress.done();
    const frames = out.split("\r").filter(Boolean);
    expect(frames.at(-1)).toBe(
      "upload [############------------] 1/2 objects  1.0 KiB / 2.0 KiB\n",
    );
  });

  it("formats byte counts", () => {
    expect([0, 1023, 1536, 5 * 1024 ** 3].map(formatBytes)).toEqual([
      "0 B",
      "1023 B",
      "1.5 KiB",
      "5.0 GiB",
    ]);
  });
});

describe("bounded parallelism", () => {
  it("never runs more than the limit at once, and runs everything", async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await forEachLimit([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      done.push(n);
      running--;
    });
    expect(peak).toBe(3);
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it("rejects with the first failure", async () => {
    await expect(
      forEachLimit([1, 2, 3], 2, async (n) => {
        if (n === 2) throw new Error("object 2 failed");
      }),
    ).rejects.toThrow("object 2 failed");
  });
});

describe("command-line parsing helpers", () => {
  it("parses FLEET[@REV]", () => {
    expect(parseFleetRef("lab")).toEqual({ fleet: "lab", rev: null });
    expect(parseFleetRef("lab@12")).toEqual({ fleet: "lab", rev: 12 });
    expect(parseFleetRef("lab#12")).toEqual({ fleet: "lab", rev: 12 });
    expect(() => parseFleetRef("lab@x")).toThrow(/not FLEET or FLEET#REVISION/);
    expect(() => parseFleetRef("lab@0")).toThrow(/numbered from 1/);
  });

  it("edits tags kubectl-style", () => {
    expect(editTags({ a: "1", b: "2" }, ["c=3", "a-", "b=x=y"])).toEqual({ b: "x=y", c: "3" });
    expect(() => editTags({}, ["-"])).toThrow(/use key=value to set or key- to remove/);
  });

  it("builds rollout definitions from flags, leaving defaults to the server", () => {
    expect(definitionFromFlags({ revision: "lab#4" })).toEqual(
      definitionFromFlags({ revision: "lab@4" }),
    );
    expect(definitionFromFlags({ revision: "lab@4" })).toEqual({
      revision: { fleet: "lab", number: 4 },
      selector: { fleet: "lab" },
    });
    expect(
      definitionFromFlags({
        revision: "lab@4",
        tag: ["ring=canary"],
        waves: "10,90",
        soak: "60",
        onFailure: "rollback",
      }),
    ).toEqual({
      revision: { fleet: "lab", number: 4 },
      selector: { fleet: "lab", tags: ["ring=canary"] },
      waves: [10, 90].map((percent) => ({
        size: { percent },
        minSample: 1,
        soakSeconds: 60,
        maxFailures: { percent: 0 },
      })),
      policy: { onFailure: "rollback" },
    });
    expect(() => definitionFromFlags({ revision: "lab@4", waves: "10,150" })).toThrow(/percentage/);
    expect(() => definitionFromFlags({ revision: "lab@4", onSuccess: "party" })).toThrow(
      /one of next, pause/,
    );
    expect(() => definitionFromFlags({ revision: "lab@4", soak: "5" })).toThrow(/give --waves too/);
    expect(definitionFromFlags({ revision: "lab@4", maxInFlight: "500" })).toMatchObject({
      maxInFlight: 500,
    });
    expect(() => definitionFromFlags({ revision: "lab@4", maxInFlight: "0" })).toThrow(
      /--max-in-flight "0": expected a whole number ≥ 1/,
    );
  });
});

describe("tables and rollout lines", () => {
  it("aligns columns", () => {
    expect(
      table(
        ["ID", "NAME"],
        [
          ["1", "alpha"],
          ["200", "b"],
        ],
      ),
    ).toEqual(["ID   NAME", "1    alpha", "200  b"]);
  });

  it("summarises a rollout on one line", () => {
    const wave = (
      index: number,
      status: "passed" | "running",
      succeeded: number,
      size: number,
    ): WaveView => ({
      index,
      status,
      size,
      gate: {
        state: status === "running" ? "open" : status,
        succeeded,
        finished: succeeded,
        failures: 0,
        required: size,
      },
      soak: { soakSeconds: 0, soakingDevices: 0, longestSoakingSeconds: 0, remainingSeconds: 0 },
    });
    const view: RolloutView = {
      rolloutId: "r1",
      status: "running",
      revision: { fleet: "lab", number: 2 },
      currentWave: 1,
      devices: 10,
      waves: [wave(0, "passed", 2, 2), wave(1, "running", 3, 8)],
      etaSeconds: 40,
    };
    expect(rolloutLine(view)).toBe(
      "rollout r1 → lab#2: running wave 2/2, 10 device(s) eta 40s | w1 passed 2/2 ok, 0 failed | w2 running 3/8 ok, 0 failed",
    );
  });
});
