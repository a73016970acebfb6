import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const child = fileURLToPath(new URL("../testing/last-resort.child.ts", import.meta.url));

describe("the agent's last resort against unhandled errors", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync("/tmp/sc-last-resort-");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("survives an unhandled EMFILE (rejected or thrown), and ends with 70 on anything else", async () => {
    const file = join(dir, "a-file");
    writeFileSync(file, "content\n");
    // Its own process: the descriptor limit, and the handlers, are that process's alone.
    const ended = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (resolve) =>
        execFile(
          "bash",
          [
            "-c",
            'ulimit -n 512 && exec "$0" --import tsx "$1" "$2"',
            process.execPath,
            child,
            file,
          ],
          { timeout: 30_000 },
          (error, stdout, stderr) =>
            resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
        ),
    );
    const lines = ended.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "{}")).toEqual({
      alive: true,
      read: "content",
      warnings: [
        "unhandled rejection out of resources; the agent runs on EMFILE",
        "uncaught exception out of resources; the agent runs on EMFILE",
      ],
      counts: { EMFILE: 2 },
    });
    expect(ended.stderr).toContain("unhandled rejection: ending the agent");
    expect(ended.code).toBe(70);
  });
});
