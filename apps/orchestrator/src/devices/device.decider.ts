import { keyFingerprint } from "@statecast/contract";
import {
  DeviceEvents as E,
  type EventOf,
  IllegalStateError,
  NotFoundError,
} from "@statecast/events";
import type { DeviceRecord } from "./device-record.js";

/** Operator commands on a device; the device-side events come from the gateway. */
export type DeviceCommand =
  | { type: "ChangeTags"; deviceId: string; tags: Record<string, string> }
  /** `keyFingerprint`: approve only this key (refused when the device is pending with another). */
  | { type: "Approve"; deviceId: string; by: string; keyFingerprint?: string }
  | { type: "Rekey"; deviceId: string; reason: string }
  | { type: "Decommission"; deviceId: string; reason: string }
  | { type: "ForceInstall"; deviceId: string; reason: string };

/** What the decider appends: typed from the device catalog's schemas. */
export type DeviceEventOut = EventOf<
  | typeof E.DeviceTagsChanged
  | typeof E.DeviceApproved
  | typeof E.DeviceRekeyed
  | typeof E.DeviceDecommissioned
  | typeof E.TargetCancelled
  | typeof E.TargetInstallForced
  | typeof E.DeviceCredentialsRevoked
>;

function existing(command: DeviceCommand, device: DeviceRecord | undefined): DeviceRecord {
  if (!device) throw new NotFoundError(`device ${command.deviceId} not found`);
  if (device.approval === "decommissioned") {
    throw new IllegalStateError(`device ${command.deviceId} is decommissioned`);
  }
  return device;
}

function changeTags(command: Extract<DeviceCommand, { type: "ChangeTags" }>, device: DeviceRecord) {
  const same = JSON.stringify(sorted(device.tags)) === JSON.stringify(sorted(command.tags));
  return same ? [] : [{ type: "DeviceTagsChanged" as const, data: { tags: command.tags } }];
}

function approve(command: Extract<DeviceCommand, { type: "Approve" }>, device: DeviceRecord) {
  const { deviceId } = command;
  if (device.approval === "approved") {
    throw new IllegalStateError(`device ${deviceId} is already approved`);
  }
  const publicKey = device.publicKey;
  if (!publicKey) {
    throw new IllegalStateError(
      `device ${deviceId} was re-keyed and has not said hello with its new key yet: nothing to approve`,
    );
  }
  const pending = keyFingerprint(publicKey);
  if (command.keyFingerprint !== undefined && command.keyFingerprint !== pending) {
    throw new IllegalStateError(
      `device ${deviceId} is pending with key ${pending}, not ${command.keyFingerprint}: not approved`,
    );
  }
  return [{ type: "DeviceApproved" as const, data: { by: command.by, publicKey } }];
}

/**
 * An operator re-keys a device on purpose: its live credentials are revoked, its key no longer
 * acts for it, and the next hello with a new key waits for an approval (DeviceKeyPresented).
 */
function rekey(
  command: Extract<DeviceCommand, { type: "Rekey" }>,
  device: DeviceRecord,
): DeviceEventOut[] {
  const previousKey = device.publicKey;
  if (!previousKey) {
    throw new IllegalStateError(
      `device ${command.deviceId} is already waiting for a hello with a new key`,
    );
  }
  const reason = command.reason.slice(0, 1000);
  const out: DeviceEventOut[] = [];
  if (device.credentialsKey) {
    const revoked = { publicKey: device.credentialsKey, reason: `re-keyed: ${reason}` };
    out.push({ type: "DeviceCredentialsRevoked", data: revoked });
  }
  out.push({ type: "DeviceRekeyed", data: { previousKey, reason } });
  return out;
}

/**
 * A decommissioned device keeps nothing: its live credentials are revoked (the gateway pushes the
 * revocation to the servers and cuts its connection) and its target is cancelled (its KV key is
 * deleted), in the same append as `DeviceDecommissioned`.
 */
function decommission(
  command: Extract<DeviceCommand, { type: "Decommission" }>,
  device: DeviceRecord,
): DeviceEventOut[] {
  const reason = `decommissioned: ${command.reason}`.slice(0, 1000);
  const out: DeviceEventOut[] = [];
  if (device.target) {
    const { revision, seq } = device.target;
    out.push({ type: "TargetCancelled", data: { revision, seq, reason } });
  }
  if (device.credentialsKey) {
    out.push({
      type: "DeviceCredentialsRevoked",
      data: { publicKey: device.credentialsKey, reason },
    });
  }
  out.push({ type: "DeviceDecommissioned", data: { reason: command.reason } });
  return out;
}

/** Issue 20: install the current target now, window or lock; only a device with a target. */
function forceInstall(
  command: Extract<DeviceCommand, { type: "ForceInstall" }>,
  device: DeviceRecord,
): DeviceEventOut[] {
  if (!device.target)
    throw new IllegalStateError(`device ${command.deviceId} has no target to install`);
  const { revision, seq } = device.target;
  const reason = command.reason || "forced by an operator";
  return [{ type: "TargetInstallForced", data: { revision, seq, reason } }];
}

/** decide(command, state) → events, pure. */
export function decideDevice(
  command: DeviceCommand,
  device: DeviceRecord | undefined,
): DeviceEventOut[] {
  const current = existing(command, device);
  switch (command.type) {
    case "ChangeTags":
      return changeTags(command, current);
    case "Approve":
      return approve(command, current);
    case "Rekey":
      return rekey(command, current);
    case "Decommission":
      return decommission(command, current);
    case "ForceInstall":
      return forceInstall(command, current);
    default: {
      const unknown: never = command;
      throw new Error(`unknown device command ${JSON.stringify(unknown)}`);
    }
  }
}

function sorted(tags: Record<string, string>): [string, string][] {
  return Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
