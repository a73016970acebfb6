import {
  consentOf,
  lockWaitOf,
  WAITING_FOR_LOCK,
  WAITING_FOR_WINDOW,
  windowWaitOf,
} from "@statecast/contract";
import type { RecordedEvent } from "@statecast/events";
import type { DeviceFact, DeviceHealthReported, RevisionRef } from "./domain/index.js";

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

const IN_FLIGHT = new Set(["QUEUED", "DOWNLOADING", "INPROGRESS", "TESTING"]);

const HEALTH_KINDS = new Set([
  "container_exited",
  "container_restarted",
  "status_goal_lost",
  "agent_restarted",
  "board_rebooted",
]);

type Data = {
  kind?: string;
  part?: string;
  count?: number;
  revision?: RevisionRef;
  from?: RevisionRef;
  status?: string;
  reason?: string;
  message?: string;
};

/** The decider input for one device event, stamped with the runner's `now`; null if none. */
export function toDeviceFact(event: RecordedEvent, now: string): DeviceFact | null {
  if (!event.streamId.startsWith("device:")) return null;
  const deviceId = event.streamId.slice("device:".length);
  const data = event.data as Data;
  const fact = { deviceId, now };
  switch (event.type) {
    case "UpdateProgressReported":
      if (!data.revision || !data.status || !IN_FLIGHT.has(data.status)) return null;
      return {
        type: "UpdateProgressReported",
        ...fact,
        revision: data.revision,
        status: data.status as "QUEUED" | "DOWNLOADING" | "INPROGRESS" | "TESTING",
        ...waitingOf(data),
        ...consentFact(data),
      };
    case "UpdateSucceeded":
      if (!data.revision) return null;
      return {
        type: "UpdateSucceeded",
        ...fact,
        revision: data.revision,
        status: data.status === "UPDATED" ? "UPDATED" : "DONE",
      };
    case "UpdateFailed":
    case "UpdateRejected":
      if (!data.revision) return null;
      return {
        type: event.type,
        ...fact,
        revision: data.revision,
        reason: data.reason ?? "unknown",
      };
    case "DeviceRolledBack":
      if (!data.from) return null;
      return {
        type: "DeviceRolledBack",
        ...fact,
        revision: data.from,
        reason: data.reason ?? "unknown",
      };
    case "DeviceHealthReported":
      if (!data.revision || !data.kind || !HEALTH_KINDS.has(data.kind)) return null;
      return {
        type: "DeviceHealthReported",
        ...fact,
        revision: data.revision,
        kind: data.kind as DeviceHealthReported["kind"],
        ...(data.part !== undefined ? { part: data.part } : {}),
        count: data.count ?? 1,
      };
    case "BundleInstallReported":
      if (!data.revision || (data.status !== "DONE" && data.status !== "UPDATED")) return null;
      return { type: "DeviceDrifted", ...fact, running: data.revision };
    case "DeviceWentOffline":
    case "DeviceCameOnline":
      return { type: event.type, ...fact };
    default:
      return null;
  }
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
