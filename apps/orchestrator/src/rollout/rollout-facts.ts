import {
  consentOf,
  IN_FLIGHT,
  lockWaitOf,
  WAITING_FOR_LOCK,
  WAITING_FOR_WINDOW,
  windowWaitOf,
} from "@statecast/contract";
import {
  DeviceBundleEvents,
  DeviceEvents,
  DeviceHealthEvents,
  isEvent,
  type RecordedEvent,
  streamKeyOf,
} from "@statecast/events";
import type { DeviceFact } from "./domain/index.js";

/** Device-stream events the process manager turns into decider inputs. */
export const FACT_TYPES = [
  "UpdateProgressReported",
  "UpdateSucceeded",
  "UpdateFailed",
  "UpdateRejected",
  "DeviceRolledBack",
  "DeviceHealthReported",
  "BundleInstallReported",
  "DeviceWentOffline",
  "DeviceCameOnline",
] as const;

/** Registry changes that may bring a device into an active rollout's selector. */
export const JOIN_TYPES = ["DeviceEnrolled", "DeviceApproved", "DeviceTagsChanged"] as const;

function isInFlight(status: string): status is (typeof IN_FLIGHT)[number] {
  return (IN_FLIGHT as readonly string[]).includes(status);
}

/** The decider input for one device event, stamped with the runner's `now`; null if none. */
export function toDeviceFact(event: RecordedEvent, now: string): DeviceFact | null {
  if (!event.streamId.startsWith("device:")) return null;
  const deviceId = streamKeyOf(event.streamId);
  const fact = { deviceId, now };
  if (isEvent(event, DeviceEvents.UpdateProgressReported)) {
    const { data } = event;
    if (!isInFlight(data.status)) return null;
    return {
      type: "UpdateProgressReported",
      ...fact,
      revision: data.revision,
      status: data.status,
      ...waitingOf(data),
      ...consentFact(data),
    };
  }
  if (isEvent(event, DeviceEvents.UpdateSucceeded)) {
    return {
      type: "UpdateSucceeded",
      ...fact,
      revision: event.data.revision,
      status: event.data.status,
    };
  }
  if (isEvent(event, DeviceEvents.UpdateFailed) || isEvent(event, DeviceEvents.UpdateRejected)) {
    return { type: event.type, ...fact, revision: event.data.revision, reason: event.data.reason };
  }
  if (isEvent(event, DeviceEvents.DeviceRolledBack)) {
    return {
      type: "DeviceRolledBack",
      ...fact,
      revision: event.data.from,
      reason: event.data.reason,
    };
  }
  if (isEvent(event, DeviceHealthEvents.DeviceHealthReported)) {
    const { data } = event;
    return {
      type: "DeviceHealthReported",
      ...fact,
      revision: data.revision,
      kind: data.kind,
      ...(data.part !== undefined ? { part: data.part } : {}),
      count: data.count,
    };
  }
  if (isEvent(event, DeviceBundleEvents.BundleInstallReported)) {
    const { data } = event;
    if (data.status !== "DONE" && data.status !== "UPDATED") return null;
    return { type: "DeviceDrifted", ...fact, running: data.revision };
  }
  if (event.type === "DeviceWentOffline" || event.type === "DeviceCameOnline") {
    return { type: event.type, ...fact };
  }
  return null;
}

/** A consenting fleet's report: asked (`waiting_for_consent`), accepted, or ask again later. */
function consentFact(data: { reason?: string; message?: string }) {
  const answer = consentOf(data.reason);
  if (answer === null || answer === "skip") return {};
  const askAgainAt = /ask again at (\S+)$/.exec(data.message ?? "")?.[1];
  return {
    consent: {
      answer: answer === "waiting" ? ("asked" as const) : answer,
      ...(answer === "later" && askAgainAt ? { askAgainAt } : {}),
    },
  };
}

/** A DOWNLOADING report that says the device waits for its window or an app's lock (issue 20). */
function waitingOf(data: { reason?: string; message?: string }) {
  if (data.reason === WAITING_FOR_LOCK) {
    const lock = lockWaitOf(data.message);
    if (!lock) return {};
    const name = `${lock.container}/${lock.holder}`;
    return { waiting: { kind: "lock" as const, name, until: null, since: lock.since } };
  }
  if (data.reason !== WAITING_FOR_WINDOW) return {};
  const wait = windowWaitOf(data.message);
  return wait
    ? { waiting: { kind: "window" as const, name: wait.window, until: wait.opensAt } }
    : {};
}
