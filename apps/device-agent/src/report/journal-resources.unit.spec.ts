import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { isResourceError, resourceBackoff } from "../fs/resource-retry.js";

const child = fileURLToPath(new URL("../testing/exhausted-descriptors.child.ts", import.meta.url));

describe("report journal out of descriptors", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync("/tmp/sc-journal-emfile-");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("waits for descriptors (EMFILE for real, under ulimit -n 512), then journals and confirms", async () => {
    // Its own process: the limit and the exhausted descriptors are that process's alone. The
    // child takes every free descriptor itself once loaded; the limit only bounds that loop, and
    // leaves room for the module loader, which reads dozens of files at once at start-up (64
    // made the start-up itself fail with EMFILE on a loaded machine).
    const { stdout } = await promisify(execFile)(
      "bash",
      ["-c", 'ulimit -n 512 && exec "$0" --import tsx "$1" "$2"', process.execPath, child, dir],
      { timeout: 30_000 },
    );
    const outcome = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
    expect(outcome).toEqual({
      seq: 1,
      pendingBefore: 1,
      pendingAfterRestart: 0,
      journaled: ["QUEUED"],
      warnings: [
        "journaling a report: out of resources; retrying EMFILE",
        "recording a sent report: out of resources; retrying EMFILE",
      ],
      counts: { EMFILE: 2 },
    });
  });

  it("tells resource errors from others, and backs off within its bound", () => {
    const error = (code: string) => Object.assign(new Error(code), { code });
    expect(["EMFILE", "ENFILE", "ENOSPC", "EAGAIN"].every((c) => isResourceError(error(c)))).toBe(
      true,
    );
    expect(isResourceError(error("ENOENT"))).toBe(false);
    expect(isResourceError(new Error("plain"))).toBe(false);
    expect(resourceBackoff(0, 5000, () => 1)).toBe(50);
    expect(resourceBackoff(30, 5000, () => 1)).toBe(5000);
    expect(resourceBackoff(3, 5000, () => 0)).toBe(10);
  });
});
