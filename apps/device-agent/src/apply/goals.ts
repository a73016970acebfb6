import type { ControlSockets } from "../control/control-server.js";
import type { PartSpec } from "../model/revision.js";
import type { ContainerRuntime } from "../runtime/runtime.js";
import { ApplyError } from "./apply-error.js";

const POLL_MS = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether a part reached its status goal; throws when its container died on the way. */
async function reached(
  part: PartSpec,
  runtime: ContainerRuntime,
  control: ControlSockets,
): Promise<boolean> {
  const state = await runtime.state(part.containerName);
  if (part.statusGoal === "MOUNTED") return state !== "ABSENT";
  if (state === "STOPPED" || state === "ABSENT") {
    throw new ApplyError(
      "container_exited",
      `container ${part.containerName} exited before reaching ${part.statusGoal}`,
    );
  }
  if (state !== "RUNNING") return false;
  return part.statusGoal === "STARTED" || control.isReady(part.containerName);
}

/** Waits until every part of a group reached its goal, within the group's timeout. */
export async function awaitGroupGoals(
  group: string,
  parts: PartSpec[],
  timeoutMs: number,
  runtime: ContainerRuntime,
  control: ControlSockets,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(parts);
  for (;;) {
    for (const part of [...pending]) {
      if (await reached(part, runtime, control)) pending.delete(part);
    }
    if (pending.size === 0) return;
    if (Date.now() >= deadline) {
      const missing = [...pending].map((p) => `${p.name} (${p.statusGoal})`).join(", ");
      throw new ApplyError(
        "status_goal_timeout",
        `group ${group}: ${missing} not reached within ${timeoutMs} ms`,
      );
    }
    await sleep(POLL_MS);
  }
}

/** What TESTING needs to know about the gateway (see agent/gateway-link.ts). */
export interface GatewayWatch {
  readonly timeoutMs: number;
  lostForMs(): number;
}

/**
 * TESTING: every watched container must stay running for the whole commit delay, and the
 * gateway must be reachable to commit. A gateway lost for longer than its timeout rolls back;
 * a shorter outage only holds the commit until the connection is back.
 */
export async function watchDuringTesting(
  watch: string[],
  delayMs: number,
  runtime: ContainerRuntime,
  gateway?: GatewayWatch,
): Promise<void> {
  const deadline = Date.now() + delayMs;
  for (;;) {
    for (const name of watch) {
      const state = await runtime.state(name);
      if (state !== "RUNNING") {
        throw new ApplyError("container_exited", `container ${name} is ${state} during TESTING`);
      }
    }
    const lost = gateway?.lostForMs() ?? 0;
    if (gateway && lost > gateway.timeoutMs) {
      throw new ApplyError(
        "gateway_lost",
        `gateway unreachable for ${lost} ms during TESTING (timeout ${gateway.timeoutMs} ms)`,
      );
    }
    if (Date.now() >= deadline && lost === 0) return;
    await sleep(Math.min(POLL_MS * 4, Math.max(POLL_MS, deadline - Date.now())));
  }
}
