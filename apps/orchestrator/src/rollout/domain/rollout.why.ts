import type { RolloutDevice } from "./rollout.device-table.js";
import { allDevices, getDevice } from "./rollout.device-table.js";
import type { RolloutState, StartedRolloutState } from "./rollout.js";
import { isStarted } from "./rollout.js";

/** Why a device is not on the rollout's revision yet (or `updated` / `already_on_revision`). */
export type WhyReason =
  | "not_in_wave_yet"
  | "waiting_for_slot"
  | "scheduled"
  | "waiting_for_window"
  | "held_by_lock"
  | "waiting_for_consent"
  | "consent_skipped"
  | "paused"
  | "offline"
  | "queued"
  | "downloading"
  | "installing"
  | "testing"
  | "soaking"
  | `failed:${string}`
  | `rejected:${string}`
  | "cancelled"
  | "aborted"
  | "rolled_back"
  | "updated"
  | "already_on_revision";

export type DeviceWhy = {
  deviceId: string;
  waveIndex: number;
  status: RolloutDevice["status"];
  reason: WhyReason;
  online: boolean;
  since: string;
  /** When the wait ends, for a reason that has an end (`scheduled`: the wave's start). */
  until?: string;
  /** What holds the device, in words (the schedule, a window, a lock). */
  detail?: string;
  /** When the update lock holding the device was taken (its age). */
  heldSince?: string;
};

/** The why-endpoint: `null` when the device is not part of the rollout. */
export function whyNotUpdated(state: RolloutState, deviceId: string): DeviceWhy | null {
  if (!isStarted(state)) return null;
  const device = getDevice(state.devices, deviceId);
  return device ? explain(state, device) : null;
}

export function devicesProgress(state: RolloutState): DeviceWhy[] {
  if (!isStarted(state)) return [];
  return allDevices(state.devices)
    .map((device) => explain(state, device))
    .sort((a, b) => a.waveIndex - b.waveIndex || (a.deviceId < b.deviceId ? -1 : 1));
}

function explain(state: StartedRolloutState, device: RolloutDevice): DeviceWhy {
  const { deviceId, waveIndex, status, online, statusAt: since } = device;
  const why = { deviceId, waveIndex, status, online, since, reason: reasonFor(state, device) };
  const consent = device.consent;
  if (consent?.answer === "skip" && status === "cancelled")
    return { ...why, reason: "consent_skipped", detail: "the device's app skipped this update" };
  if ((consent?.answer === "asked" || consent?.answer === "later") && IN_FLIGHT_WAIT.has(status))
    return {
      ...why,
      reason: "waiting_for_consent",
      detail:
        consent.answer === "later"
          ? "downloaded; the app asked to be asked again"
          : "downloaded; asked for consent",
      ...(consent.askAgainAt ? { until: consent.askAgainAt } : {}),
    };
  if (device.waiting?.kind === "lock" && IN_FLIGHT_WAIT.has(status)) {
    const { name, since } = device.waiting;
    const [container, holder] = name.split("/");
    return {
      ...why,
      reason: "held_by_lock",
      detail: `downloaded; update lock of ${container} held by ${holder}${since ? ` since ${since}` : ""}`,
      ...(since ? { heldSince: since } : {}),
    };
  }
  if (device.waiting && IN_FLIGHT_WAIT.has(status)) {
    const { name, until } = device.waiting;
    return {
      ...why,
      reason: "waiting_for_window",
      detail: `downloaded; maintenance window ${name} is closed`,
      ...(until ? { until } : {}),
    };
  }
  const wave = state.waves[waveIndex];
  if (why.reason === "waiting_for_slot")
    return {
      ...why,
      detail: `its wave is running; at most ${state.definition.maxInFlight} devices update at once`,
    };
  if (why.reason !== "scheduled" || !wave?.deferredUntil) return why;
  const by =
    wave.deferredBy === "wave_not_before" ? `wave ${waveIndex} not-before` : "rollout start-at";
  return { ...why, until: wave.deferredUntil, detail: `${by} ${wave.deferredUntil}` };
}

function reasonFor(state: StartedRolloutState, device: RolloutDevice): WhyReason {
  switch (device.status) {
    case "succeeded":
      return "updated";
    case "already_on_revision":
    case "soaking":
    case "downloading":
    case "installing":
    case "testing":
    case "cancelled":
      return device.online || !isWaiting(device) ? device.status : "offline";
    case "failed":
    case "rejected":
      return `${device.status}:${device.reason ?? "unknown"}`;
    case "assigned":
    case "queued":
      return device.online ? "queued" : "offline";
    case "pending":
      if (state.status === "aborted" || state.status === "rolled_back") return state.status;
      if (state.status === "paused") return "paused";
      if (
        state.status === "running" &&
        state.definition.maxInFlight !== undefined &&
        state.waves[device.waveIndex]?.status === "running"
      )
        return "waiting_for_slot";
      return state.waves[device.waveIndex]?.deferredUntil ? "scheduled" : "not_in_wave_yet";
  }
}

const IN_FLIGHT_WAIT = new Set<RolloutDevice["status"]>(["queued", "downloading", "assigned"]);

/** Offline matters only while the device still has work to do. */
function isWaiting(device: RolloutDevice): boolean {
  return (
    device.status === "downloading" || device.status === "installing" || device.status === "testing"
  );
}

export type OverLongLock = { deviceId: string; detail: string; heldSince: string; seconds: number };

/** Devices held by an update lock for longer than `limitSeconds` at `now` (issue 20). */
export function overLongLocks(
  state: RolloutState,
  now: string,
  limitSeconds: number,
): OverLongLock[] {
  return devicesProgress(state).flatMap((why) => {
    if (why.reason !== "held_by_lock" || !why.heldSince) return [];
    const seconds = Math.floor((Date.parse(now) - Date.parse(why.heldSince)) / 1000);
    if (seconds <= limitSeconds) return [];
    return [
      { deviceId: why.deviceId, detail: why.detail ?? "", heldSince: why.heldSince, seconds },
    ];
  });
}
