import { sameRevision } from "./rollout.definition.js";
import type { RolloutDevice } from "./rollout.device-table.js";
import { getDevice, putDevices } from "./rollout.device-table.js";
import type { DeviceJoinedRollout, RolloutEvent } from "./rollout.events.js";
import type { StartedRolloutState, WaveState } from "./rollout.js";

type Patch = Pick<RolloutDevice, "status"> &
  Partial<Pick<RolloutDevice, "soakUntil" | "reason" | "stage">>;

/** The device-level half of `evolve`: statuses, per-wave counts, online flags, joiners. */
export function evolveDevices<S extends StartedRolloutState>(state: S, event: RolloutEvent): S {
  switch (event.type) {
    case "WaveTargetsAssigned":
      return move(state, event.data.deviceIds, { status: "assigned" }, event.data.at);
    case "RolloutTargetsCancelled":
      return move(state, event.data.deviceIds, { status: "cancelled" }, event.data.at);
    case "RolloutDeviceProgressed":
      return move(state, [event.data.deviceId], { status: event.data.status }, event.data.at);
    case "RolloutDeviceUpdated": {
      const { deviceId, soakUntil, at } = event.data;
      return move(state, [deviceId], { status: "soaking", soakUntil }, at);
    }
    case "RolloutDeviceSucceeded":
      return move(state, [event.data.deviceId], { status: "succeeded" }, event.data.at);
    case "RolloutDeviceFailed":
    case "RolloutDeviceRejected": {
      const { deviceId, reason, late, countedInWave, at } = event.data;
      const status = event.type === "RolloutDeviceFailed" ? "failed" : "rejected";
      const stage = getDevice(state.devices, deviceId)?.status;
      const moved = move(state, [deviceId], { status, reason, ...(stage ? { stage } : {}) }, at);
      if (!late || countedInWave === null) return moved;
      const waves = moved.waves.map((w) =>
        w.index === countedInWave ? { ...w, lateFailures: w.lateFailures + 1 } : w,
      );
      return { ...moved, waves };
    }
    case "RolloutDeviceWentOffline":
    case "RolloutDeviceCameOnline": {
      const device = getDevice(state.devices, event.data.deviceId);
      if (!device) return state;
      const online = event.type === "RolloutDeviceCameOnline";
      return { ...state, devices: putDevices(state.devices, [{ ...device, online }]) };
    }
    case "DeviceJoinedRollout":
      return join(state, event);
    case "RolloutDeviceConsented": {
      const { deviceId, answer, askAgainAt } = event.data;
      const device = getDevice(state.devices, deviceId);
      if (!device) return state;
      const consent = { answer, ...(askAgainAt ? { askAgainAt } : {}) };
      return { ...state, devices: putDevices(state.devices, [{ ...device, consent }]) };
    }
    case "RolloutDeviceWaiting": {
      const { deviceId, at: _at, ...waiting } = event.data;
      const device = getDevice(state.devices, deviceId);
      if (!device) return state;
      return { ...state, devices: putDevices(state.devices, [{ ...device, waiting }]) };
    }
    default:
      return state;
  }
}

function move<S extends StartedRolloutState>(
  state: S,
  deviceIds: readonly string[],
  patch: Patch,
  at: string,
): S {
  const waves = [...state.waves];
  const copied = new Set<number>();
  const moved: RolloutDevice[] = [];
  for (const deviceId of deviceIds) {
    const device = getDevice(state.devices, deviceId);
    const wave = device && waves[device.waveIndex];
    if (!device || !wave) continue;
    const { soakUntil: _s, reason: _r, stage: _t, waiting: _w, ...rest } = device;
    moved.push({ ...rest, ...patch, statusAt: at });
    const counts = copied.has(wave.index) ? wave.counts : { ...wave.counts };
    counts[device.status]--;
    counts[patch.status]++;
    if (!copied.has(wave.index)) waves[wave.index] = { ...wave, counts };
    copied.add(wave.index);
  }
  return { ...state, waves, devices: putDevices(state.devices, moved) };
}

function join<S extends StartedRolloutState>(state: S, event: DeviceJoinedRollout): S {
  const { deviceId, waveIndex, currentRevision, online, at } = event.data;
  const wave: WaveState | undefined = state.waves[waveIndex];
  if (!wave || getDevice(state.devices, deviceId)) return state;
  const already = sameRevision(currentRevision, state.definition.revision);
  const status = already ? "already_on_revision" : "pending";
  const device: RolloutDevice = {
    deviceId,
    waveIndex,
    status,
    online,
    previousRevision: currentRevision,
    statusAt: at,
  };
  const counts = { ...wave.counts, [status]: wave.counts[status] + 1 };
  const waves = state.waves.map((w) =>
    w === wave ? { ...wave, deviceIds: [...wave.deviceIds, deviceId], counts } : w,
  );
  return { ...state, waves, devices: putDevices(state.devices, [device]) };
}
