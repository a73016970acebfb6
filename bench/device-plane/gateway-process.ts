import { type ChildProcess, spawn } from "node:child_process";
import { openSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { freePort } from "@statecast/infra";

// BENCH_GATEWAY_MAIN=<path to a built main.js>: run another build of the gateway (A/B runs).
const MAIN =
  process.env.BENCH_GATEWAY_MAIN ??
  fileURLToPath(new URL("../../apps/device-gateway/dist/main.js", import.meta.url));

export interface GatewayProcess {
  child: ChildProcess;
  /** Resident set size now and at its peak, from /proc. */
  rssMb(): { now: number; peak: number };
  /** CPU time (user + system) the gateway has used so far, in seconds. */
  cpuSeconds(): number;
  /** Samples of one metric from the gateway's `/metrics`, by their label text ("" for none). */
  metric(name: string): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/** Runs the built gateway (`node apps/device-gateway/dist/main.js`) as its own process. */
export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  const port = await freePort();
  // BENCH_GATEWAY_CPU_PROF=<dir>: the gateway writes a V8 CPU profile there when it stops.
  const profile = process.env.BENCH_GATEWAY_CPU_PROF;
  const flags = profile ? ["--cpu-prof", "--cpu-prof-dir", profile] : [];
  // BENCH_GATEWAY_NODE_FLAGS="--trace-gc …": more node flags for the gateway only (diagnosis).
  flags.push(...(process.env.BENCH_GATEWAY_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? []));
  const child = spawn(process.execPath, [...flags, MAIN], {
    env: {
      ...process.env,
      ...env,
      STATECAST_HTTP_PORT: String(port),
      STATECAST_LOG_LEVEL: process.env.BENCH_GATEWAY_LOG_LEVEL ?? "error",
    },
    // BENCH_GATEWAY_LOG=<file> keeps the gateway's log (with BENCH_GATEWAY_LOG_LEVEL=warn: drops).
    stdio: [
      "ignore",
      process.env.BENCH_GATEWAY_LOG ? openSync(process.env.BENCH_GATEWAY_LOG, "w") : "ignore",
      "inherit",
    ],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode} at start`);
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
    if (ready?.status === 200) break;
    if (i > 600) {
      child.kill("SIGKILL"); // not yet handed to the caller's teardown
      throw new Error("gateway not ready after 60 s");
    }
    await sleep(100);
  }
  const field = (name: string) => {
    const line = readFileSync(`/proc/${child.pid}/status`, "utf8")
      .split("\n")
      .find((l) => l.startsWith(name));
    return Math.round(Number(line?.split(/\s+/)[1] ?? 0) / 1024);
  };
  return {
    child,
    rssMb: () => ({ now: field("VmRSS:"), peak: field("VmHWM:") }),
    cpuSeconds: () => {
      // /proc/<pid>/stat: fields 14 and 15 (after the parenthesised name) are utime and stime.
      const stat = readFileSync(`/proc/${child.pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
    },
    metric: async (name) => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const samples: Record<string, number> = {};
      for (const line of text.split("\n")) {
        const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
        if (match?.[1] === name) samples[match[2] ?? ""] = Number(match[3]);
      }
      return samples;
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      await exited;
    },
  };
}
