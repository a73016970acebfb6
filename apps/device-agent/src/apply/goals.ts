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

/** TESTING: every watched container must stay running for the whole commit delay. */
export async function watchDuringTesting(
  watch: string[],
  delayMs: number,
  runtime: ContainerRuntime,
): Promise<void> {
  const deadline = Date.now() + delayMs;
  for (;;) {
    for (const name of watch) {
      const state = await runtime.state(name);
      if (state !== "RUNNING") {
        throw new ApplyError("container_exited", `container ${name} is ${state} during TESTING`);
      }
    }
    if (Date.now() >= deadline) return;
    await sleep(Math.min(POLL_MS * 4, Math.max(1, deadline - Date.now())));
  }
}
