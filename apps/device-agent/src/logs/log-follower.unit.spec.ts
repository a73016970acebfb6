import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LogFollower } from "./log-follower.js";

describe("LogFollower", () => {
  const dir = mkdtempSync(join(tmpdir(), "sc-follow-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("returns only whole lines appended after it began", async () => {
    const file = join(dir, "a.log");
    writeFileSync(file, "old line\n");
    const follower = await LogFollower.fromEnd(file);
    expect(await follower.read()).toBe("");
    appendFileSync(file, "new 1\nnew 2\npart");
    expect(await follower.read()).toBe("new 1\nnew 2\n");
    appendFileSync(file, "ial\n");
    expect(await follower.read()).toBe("partial\n");
  });

  it("starts a shrunk file (rotated, trimmed) again from its start", async () => {
    const file = join(dir, "b.log");
    writeFileSync(file, `${"x".repeat(100)}\n`);
    const follower = await LogFollower.fromEnd(file);
    writeFileSync(file, "after rotation\n");
    expect(await follower.read()).toBe("after rotation\n");
  });

  it("follows a file that does not exist yet", async () => {
    const file = join(dir, "c.log");
    const follower = await LogFollower.fromEnd(file);
    expect(await follower.read()).toBe("");
    writeFileSync(file, "first\n");
    expect(await follower.read()).toBe("first\n");
  });
});
