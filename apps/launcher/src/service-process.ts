import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";

export interface ServiceProcess {
  readonly name: string;
  readonly pid: number;
  /** Settles when the process has exited, with how it exited. */
  readonly exited: Promise<string>;
  hasExited(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface ServiceSpawnOptions {
  name: string;
  /** The built entry point, e.g. apps/orchestrator/dist/main.js. */
  entry: string;
  env: Record<string, string | undefined>;
  /** Receives each output line, already prefixed with `[name]`. */
  output: (line: string) => void;
  /** Reformats a line before it is prefixed (the services log JSON; a terminal gets it pretty). */
  formatLine?: (line: string) => string;
}

/**
 * Runs a built service with this Node binary. It gets its own process group, so a Ctrl-C at the
 * terminal reaches only the launcher, which then stops the services first, in order.
 */
export function spawnService(options: ServiceSpawnOptions): ServiceProcess {
  const child = spawn(process.execPath, [options.entry], {
    env: options.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  if (child.pid === undefined) throw new Error(`could not start ${options.name}`);
  const prefix = `[${options.name}]`;
  const forward = (stream: Readable | null) => {
    if (!stream) return;
    const format = options.formatLine ?? ((line: string) => line);
    createInterface({ input: stream }).on("line", (line) =>
      options.output(`${prefix} ${format(line)}`),
    );
  };
  forward(child.stdout);
  forward(child.stderr);
  const exited = once(child, "exit").then(([code, signal]) =>
    signal ? `killed by ${signal}` : `exit code ${code}`,
  );
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    name: options.name,
    pid: child.pid,
    exited,
    hasExited,
    stop: (graceMs = 10_000) => stopChild(child, exited, hasExited, graceMs),
  };
}

async function stopChild(
  child: ChildProcess,
  exited: Promise<string>,
  hasExited: () => boolean,
  graceMs: number,
): Promise<void> {
  if (hasExited()) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}
