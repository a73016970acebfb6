import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { LogRing } from "./log-ring.js";

describe("log ring", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync("/tmp/sc-log-ring-");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("appends on its open file, rotates past the cap, and still logs after close", () => {
    const path = join(dir, "agent.log");
    const ring = new LogRing(path, 20);
    ring.append("one 123456\n");
    ring.append("two 123456\n"); // 22 bytes with the first: the first goes to .1
    expect(readFileSync(`${path}.1`, "utf8")).toBe("one 123456\n");
    expect(readFileSync(path, "utf8")).toBe("two 123456\n");
    ring.close();
    ring.append("three\n");
    expect(readFileSync(path, "utf8")).toBe("two 123456\nthree\n");
    // A ring opened again on the same file goes on from its size.
    const again = new LogRing(path, 20);
    again.append("four 1234\n");
    expect(readFileSync(path, "utf8")).toBe("four 1234\n");
    expect(readFileSync(`${path}.1`, "utf8")).toBe("two 123456\nthree\n");
    again.close();
  });
});
