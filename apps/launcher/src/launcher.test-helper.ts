import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const launcherEntry = fileURLToPath(new URL("../dist/main.js", import.meta.url));

export interface LauncherRun {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exit: Promise<number | null>;
  /** Resolves once the start-up summary is printed; rejects if the launcher exits first. */
  ready(timeoutMs: number): Promise<void>;
  /** What a terminal's Ctrl-C does: SIGINT to every process of the foreground group. */
  ctrlC(): void;
}

/** Runs the BUILT launcher, as `npm start` does, with only the given Statecast settings. */
export function runLauncher(
  settings: Record<string, string>,
  options: { terminal?: boolean } = {},
): LauncherRun {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^(STATECAST_|DATABASE_URL|NATS_URL|OTEL_|LOG_)/.test(key)) continue;
    env[key] = value;
  }
  // On a terminal: `script` gives the launcher a pseudo-terminal, and a Ctrl-C typed into it
  // reaches the foreground process group through the terminal, as a person's does. `script` runs
  // the command with $SHELL -c; `exec` makes the launcher that group's only process whatever the
  // shell is (dash would otherwise stay, die of the SIGINT, and `script -e` report 130).
  const command: [string, string[]] = options.terminal
    ? ["script", ["-qfec", `exec ${process.execPath} ${launcherEntry}`, "/dev/null"]]
    : [process.execPath, [launcherEntry]];
  const child = spawn(command[0], command[1], {
    cwd: repoRoot,
    env: { ...env, ...settings },
    stdio: [options.terminal ? "pipe" : "ignore", "pipe", "pipe"],
    // Its own process group, as a foreground job in a terminal has.
    detached: true,
  });
  let text = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
  });
  const exit = once(child, "exit").then(([code]) => code as number | null);
  const ready = async (timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!text.includes("Statecast is running")) {
      if (child.exitCode !== null) throw new Error(`launcher exited early:\n${text}`);
      if (Date.now() > deadline) throw new Error(`launcher not ready in ${timeoutMs} ms:\n${text}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const ctrlC = () =>
    options.terminal
      ? child.stdin?.write("\u0003")
      : process.kill(-(child.pid as number), "SIGINT");
  return { child, output: () => text, exit, ready, ctrlC };
}

/** Every process below `pid`, from /proc. */
export function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited while we looked
    }
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift() as number) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
