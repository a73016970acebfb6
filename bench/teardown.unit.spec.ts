import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

const child = fileURLToPath(new URL("./teardown.child.ts", import.meta.url));

/** Whether `pid` runs (a zombie waiting for its reaper counts as stopped). */
const running = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
};

/** Runs the fixture bench ending `how`; returns its exit code and the pids of what it started. */
async function benchEnding(how: string) {
  const bench = spawn(process.execPath, ["--import", "tsx", child, how], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  bench.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const exit = once(bench, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  for (let i = 0; !/^\d+ \d+\n/.test(stdout); i++) {
    if (i > 300 || bench.exitCode !== null) throw new Error(`no pid printed: ${stdout}`);
    await sleep(50);
  }
  const pids = stdout.trim().split(" ").map(Number);
  if (how.startsWith("signal")) bench.kill("SIGINT");
  if (how === "signal twice") {
    await sleep(500);
    bench.kill("SIGINT");
  }
  const [code] = await exit;
  for (let i = 0; pids.some(running) && i < 100; i++) await sleep(50);
  return { code, pids };
}

describe("bench teardown", () => {
  it.each([
    ["normal", 0],
    ["throw", 1],
    ["reject", 1],
    ["signal", 130],
    ["signal twice", 130],
    ["exit", 3],
  ])("stops what the bench started, and its children, when it ends %s", async (how, expected) => {
    const { code, pids } = await benchEnding(how);
    expect(code).toBe(expected);
    expect(pids).toHaveLength(2); // the service and its own child
    const stillRunning = pids.filter(running);
    for (const pid of stillRunning) process.kill(pid, "SIGKILL");
    expect(stillRunning).toEqual([]);
  });
});
