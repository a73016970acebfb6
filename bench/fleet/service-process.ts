import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { freePort } from "@statecast/infra";

export type ServiceName = "orchestrator" | "device-gateway";

export interface ServiceProcess {
  readonly name: ServiceName;
  readonly url: string;
  readonly child: ChildProcess;
  /** Resident set size now and its peak (VmHWM), in MB, from /proc. */
  rssMb(): { now: number; peak: number };
  stop(): Promise<void>;
}

/** Runs a BUILT service (`node apps/<name>/dist/main.js`) as its own process, as `npm start` does. */
export async function startServiceProcess(
  name: ServiceName,
  env: Record<string, string>,
  log: (line: string) => void,
  /** How its lines and profile are named (default: the service's name). */
  label: string = name,
): Promise<ServiceProcess> {
  const main = fileURLToPath(new URL(`../../apps/${name}/dist/main.js`, import.meta.url));
  const port = await freePort();
  // BENCH_FLEET_CPU_PROF=<dir>: each service writes a V8 CPU profile there when it stops.
  const profile = process.env.BENCH_FLEET_CPU_PROF;
  const flags = profile
    ? ["--cpu-prof", "--cpu-prof-dir", profile, "--cpu-prof-name", `${label}.cpuprofile`]
    : [];
  const child = spawn(process.execPath, [...flags, main], {
    env: { ...process.env, ...env, STATECAST_HTTP_PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const forward = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) if (line) log(`[${label}] ${line}`);
  };
  child.stdout?.on("data", forward);
  child.stderr?.on("data", forward);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`${label} exited with ${child.exitCode} at start`);
    const ready = await fetch(`${url}/health/ready`).catch(() => undefined);
    if (ready?.status === 200) break;
    if (i > 1200) {
      child.kill("SIGKILL"); // not yet handed to the caller's teardown
      throw new Error(`${label} not ready after 120 s`);
    }
    await sleep(100);
  }
  return {
    name,
    url,
    child,
    rssMb: () => rssOf(child.pid),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A process's resident set now and at its peak (VmHWM), in MB, from /proc (0 when gone). */
export function rssOf(pid: number | undefined): { now: number; peak: number } {
  let status = "";
  try {
    status = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    // gone
  }
  const field = (key: string) => {
    const line = status.split("\n").find((l) => l.startsWith(key));
    return Math.round(Number(line?.split(/\s+/)[1] ?? 0) / 1024);
  };
  return { now: field("VmRSS:"), peak: field("VmHWM:") };
}
