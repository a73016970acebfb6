import { allDevices, type RolloutDevice } from "./rollout.device-table.js";
import type { StartedRolloutState } from "./rollout.js";

/** Failed or rejected devices sharing the stage they failed in and the reason they gave. */
export type FailureGroup = {
  /** The device's rollout status when it failed (`downloading`, `installing`, `testing`, …). */
  stage: string;
  reason: string;
  /** `failed` (the update broke) or `rejected` (the device refused it). */
  outcome: "failed" | "rejected";
  devices: string[];
};

/** The devices the console shows per group at most; `count` is the full number. */
export const GROUP_DEVICE_LIMIT = 50;

/** Failures grouped by (outcome, stage, reason), largest group first, device ids sorted. */
export function failureGroups(state: StartedRolloutState): (FailureGroup & { count: number })[] {
  return groupFailures(allDevices(state.devices));
}

/** {@link failureGroups} of these devices (those neither failed nor rejected are passed over). */
export function groupFailures(
  devices: readonly RolloutDevice[],
): (FailureGroup & { count: number })[] {
  const groups = new Map<string, FailureGroup>();
  for (const device of devices) {
    if (device.status !== "failed" && device.status !== "rejected") continue;
    const stage = device.stage ?? "unknown";
    const reason = device.reason ?? "unknown";
    const key = `${device.status}\u0000${stage}\u0000${reason}`;
    const group = groups.get(key) ?? { stage, reason, outcome: device.status, devices: [] };
    group.devices.push(device.deviceId);
    groups.set(key, group);
  }
  return [...groups.values()]
    .map((g) => ({
      ...g,
      count: g.devices.length,
      devices: g.devices.sort().slice(0, GROUP_DEVICE_LIMIT),
    }))
    .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : 1));
}
