import { settle } from "./rollout.advance.js";
import type { Decision } from "./rollout.decision.js";
import { addSeconds } from "./rollout.decision.js";
import { outcome } from "./rollout.device-facts.js";
import { getDevice } from "./rollout.device-table.js";
import type * as In from "./rollout.inputs.js";
import { IN_FLIGHT, isStarted } from "./rollout.js";

/** The input a due timer delivers, at `now`. */
export function timerInput(
  timer: Pick<In.RolloutTimer, "kind" | "deviceId">,
  now: string,
): In.TimerElapsed {
  switch (timer.kind) {
    case "soak":
      return { type: "SoakTimerElapsed", deviceId: timer.deviceId, now };
    case "device_timeout":
      return { type: "DeviceTimeoutElapsed", deviceId: timer.deviceId, now };
    case "wave_start":
    case "schedule_end":
      return { type: "ScheduleTimerElapsed", kind: timer.kind, now };
  }
}

/** Timers asked for by `ScheduleTimer`: a soak that ended, or a device that never answered. */
export function onTimer(d: Decision, timer: In.TimerElapsed): void {
  const state = d.state;
  if (!isStarted(state)) return;
  if (timer.type === "ScheduleTimerElapsed") {
    settle(d, timer.now); // a deferred wave starts, or the schedule ends, on time
    return;
  }
  const device = getDevice(state.devices, timer.deviceId);
  const { deviceId, now: at } = timer;
  if (timer.type === "SoakTimerElapsed" && device?.status === "soaking" && device.soakUntil) {
    if (Date.parse(at) >= Date.parse(device.soakUntil))
      d.emit({ type: "RolloutDeviceSucceeded", data: { deviceId, via: "soaked", at } });
    else
      d.send({
        type: "ScheduleTimer",
        at: device.soakUntil,
        timer: { kind: "soak", rolloutId: state.rolloutId, deviceId },
      });
  }
  const timeout = state.definition.deviceTimeoutSeconds;
  if (timer.type === "DeviceTimeoutElapsed" && device?.waiting && timeout !== undefined) {
    // Waiting for its window or a lock is not silence: the clock restarts when that ends.
    const from = device.waiting.until && device.waiting.until > at ? device.waiting.until : at;
    d.send({
      type: "ScheduleTimer",
      at: addSeconds(from, timeout),
      timer: { kind: "device_timeout", rolloutId: state.rolloutId, deviceId },
    });
  } else if (timer.type === "DeviceTimeoutElapsed" && device && IN_FLIGHT.has(device.status)) {
    const reason = "device_timeout";
    d.emit({
      type: "RolloutDeviceFailed",
      data: { ...outcome(state, device, reason, at), source: "timeout" },
    });
    d.send({
      type: "CancelTarget",
      deviceId,
      revision: state.definition.revision,
      rolloutId: state.rolloutId,
    });
  }
  settle(d, at);
}
