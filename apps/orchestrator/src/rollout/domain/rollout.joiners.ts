import { assignPending, settle } from "./rollout.advance.js";
import type { Decision } from "./rollout.decision.js";
import { getDevice } from "./rollout.device-table.js";
import type * as In from "./rollout.inputs.js";

/** Devices that start matching the selector mid-rollout land in the last wave. */
export function joinRollout(d: Decision, fact: In.DeviceJoinedSelector): void {
  const state = d.state;
  if (state.status !== "running" && state.status !== "paused") return;
  const { device, heldBy, now: at } = fact;
  if ((heldBy !== null && heldBy !== state.rolloutId) || getDevice(state.devices, device.deviceId))
    return;
  const last = state.waves.length - 1;
  const { deviceId, currentRevision, online } = device;
  d.emit({
    type: "DeviceJoinedRollout",
    data: { deviceId, waveIndex: last, currentRevision, online, at },
  });
  if (state.status === "running" && state.waves[last]?.status === "running")
    assignPending(d, last, at);
  settle(d, at);
}
