import { setTimeout as sleep } from "node:timers/promises";
import { KeyedLanes } from "./keyed-lanes.js";

describe("KeyedLanes", () => {
  it("runs a key's tasks in order, other keys alongside, never more than the limit", async () => {
    const lanes = new KeyedLanes(3);
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const task = (key: string, i: number, ms: number) => async () => {
      most = Math.max(most, ++running);
      await sleep(ms);
      log.push(`${key}${i}`);
      running--;
      return true;
    };
    for (let i = 0; i < 4; i++) {
      await lanes.run("a", task("a", i, 4 - i));
      await lanes.run("b", task("b", i, 1));
      await lanes.run("c", task("c", i, 2));
      await lanes.run("d", task("d", i, 1));
    }
    await lanes.drain();
    for (const key of ["a", "b", "c", "d"])
      expect(log.filter((x) => x.startsWith(key))).toEqual([0, 1, 2, 3].map((i) => `${key}${i}`));
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(3);
  });

  it("stops a key's lane at a task that gave up; other keys go on", async () => {
    const lanes = new KeyedLanes(2);
    const ran: string[] = [];
    const task = (name: string, ok: boolean) => async () => {
      ran.push(name);
      return ok;
    };
    await lanes.run("a", task("a0", true));
    await lanes.run("a", task("a1", false));
    await lanes.run("b", task("b0", true));
    await lanes.run("a", task("a2", true));
    await lanes.run("b", task("b1", true));
    await lanes.drain();
    expect(ran.sort()).toEqual(["a0", "a1", "b0", "b1"]);
  });
});
