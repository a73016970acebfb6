import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { freePort } from "@statecast/infra";

const MAIN = fileURLToPath(new URL("../../apps/device-gateway/dist/main.js", import.meta.url));

export interface GatewayProcess {
  child: ChildProcess;
  /** Resident set size now and at its peak, from /proc. */
  rssMb(): { now: number; peak: number };
  stop(): Promise<void>;
}

/** Runs the built gateway (`node apps/device-gateway/dist/main.js`) as its own process. */
export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      ...env,
      STATECAST_HTTP_PORT: String(port),
      STATECAST_LOG_LEVEL: "error",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode} at start`);
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
    if (ready?.status === 200) break;
    if (i > 600) throw new Error("gateway not ready after 60 s");
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
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}
