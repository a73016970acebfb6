import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { SimAgentOptions, SimDevice } from "./agents.js";

/**
 * Node flags of each load generator (`BENCH_LOAD_GENERATOR_NODE_FLAGS`, space-separated): the
 * harness of thousands of agents, not the agent as a device runs it (deploy/ has that).
 */
const LOAD_GENERATOR_NODE_FLAGS = (process.env.BENCH_LOAD_GENERATOR_NODE_FLAGS ?? "")
  .split(" ")
  .filter(Boolean);

export type ToGenerator =
  | { type: "start"; devices: SimDevice[]; options: SimAgentOptions }
  | { type: "stop" };
export type FromGenerator =
  | { type: "connected"; count: number }
  | { type: "ready"; count: number }
  | { type: "failed"; error: string }
  | { type: "stopped"; resourceErrors: Record<string, number> };

export interface LoadGenerators {
  readonly pids: number[];
  /** Resolves once every agent connected (progress: agents connected so far, all processes). */
  ready(progress: (connected: number) => void): Promise<void>;
  /** Stops every agent; returns the resource errors the agents retried, by code. */
  stop(): Promise<Record<string, number>>;
}

const MAIN = fileURLToPath(new URL("./load-generator.ts", import.meta.url));

/** Forks `processes` load generators, each running an equal share of `devices`. */
export function startLoadGenerators(
  devices: SimDevice[],
  options: SimAgentOptions,
  processes: number,
  log: (line: string) => void,
): LoadGenerators {
  const children: ChildProcess[] = [];
  const connected: number[] = [];
  const share = Math.ceil(devices.length / processes);
  for (let i = 0; i < processes; i++) {
    const slice = devices.slice(i * share, (i + 1) * share);
    if (slice.length === 0) break;
    // BENCH_FLEET_CPU_PROF=<dir>: each load generator writes V8 CPU profiles there as it ends.
    const profile = process.env.BENCH_FLEET_CPU_PROF;
    const child = fork(MAIN, [], {
      execArgv: [
        "--import",
        "tsx",
        // A directory each: tsx's loader thread writes a profile too, under the default name.
        ...(profile ? ["--cpu-prof", "--cpu-prof-dir", join(profile, `load-generator-${i}`)] : []),
        ...LOAD_GENERATOR_NODE_FLAGS,
      ],
      stdio: "inherit",
      // Every device has a disk of its own, here thousands share libuv's pool (4 threads by
      // default): each agent's fsyncs (journal, records) would queue behind the others'.
      env: { ...process.env, UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? "64" },
    });
    connected.push(0);
    child.on("message", (message: FromGenerator) => {
      if (message.type === "connected") connected[i] = message.count;
      if (message.type === "failed") log(`load generator ${i}: ${message.error}`);
    });
    child.send({ type: "start", devices: slice, options } satisfies ToGenerator);
    children.push(child);
  }
  const sum = () => connected.reduce((a, b) => a + b, 0);
  return {
    pids: children.flatMap((c) => (c.pid === undefined ? [] : [c.pid])),
    ready: async (progress) => {
      let reported = 0;
      const timer = setInterval(() => {
        if (sum() === reported) return;
        reported = sum();
        progress(reported);
      }, 1000);
      try {
        await Promise.all(
          children.map(
            (child, i) =>
              new Promise<void>((resolve, reject) => {
                child.on("message", (message: FromGenerator) => {
                  if (message.type === "ready") resolve();
                  if (message.type === "failed")
                    reject(new Error(`load generator ${i} failed: ${message.error}`));
                });
                child.once("exit", (code) =>
                  reject(new Error(`load generator ${i} exited (${code}) before its agents ran`)),
                );
              }),
          ),
        );
      } finally {
        clearInterval(timer);
      }
      progress(sum());
    },
    stop: async () => {
      const totals: Record<string, number> = {};
      await Promise.all(
        children.map(async (child) => {
          if (child.exitCode !== null || child.signalCode !== null || !child.connected) return;
          const stopped = new Promise<void>((resolve) => {
            child.on("message", (message: FromGenerator) => {
              if (message.type !== "stopped") return;
              for (const [code, n] of Object.entries(message.resourceErrors))
                totals[code] = (totals[code] ?? 0) + n;
              resolve();
            });
          });
          child.send({ type: "stop" } satisfies ToGenerator);
          await Promise.race([stopped, once(child, "exit")]);
          if (child.exitCode === null && child.signalCode === null) await once(child, "exit");
        }),
      );
      return totals;
    },
  };
}
