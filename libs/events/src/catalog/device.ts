import { z } from "zod";
import { defineEvent } from "../registry.js";
import { progressAsIs, succeededAsIs } from "./as-is.js";
import {
  failureReason,
  humanMessage,
  isoInstant,
  maintenanceWindows,
  revisionRef,
  sha256Hex,
  updateStatus,
} from "./common.js";
import { BundleInstallReported } from "./device-bundle.js";
import { DeviceHealthReported } from "./device-health.js";
import { DeviceLogsRequested } from "./device-logs.js";

const tags = z.record(z.string().min(1).max(128), z.string().max(256));
/** Which device report an outcome came from: the gateway never applies one twice or out of order. */
const reportCursor = z.strictObject({
  bootId: z.string().min(1).max(128),
  seq: z.int().nonnegative(),
});
const nkeyPublic = z.string().regex(/^U[A-Z2-7]{55}$/, "expected a NATS user public nkey");

export const DeviceEnrolled = defineEvent(
  "DeviceEnrolled",
  1,
  z.strictObject({
    deviceId: z.string().min(1).max(128),
    publicKey: nkeyPublic,
    fleet: z.string().min(1).max(128),
    tags: tags.default({}),
    enrolledWith: z.enum(["token", "approval"]),
  }),
);
export const DeviceApproved = defineEvent(
  "DeviceApproved",
  1,
  // `publicKey` (since issue 17): the key approved. Events of earlier releases lack it and
  // approved the key the device was pending with at the time, which their stream still names.
  z.strictObject({ by: z.string().min(1), publicKey: nkeyPublic.optional() }),
);
/**
 * An operator re-keyed the device on purpose (a new board, a wiped store): `previousKey` no longer
 * acts for it (its live credentials are revoked in the same append) and the next hello with a
 * new key is recorded as `DeviceKeyPresented`, pending approval.
 */
export const DeviceRekeyed = defineEvent(
  "DeviceRekeyed",
  1,
  z.strictObject({ previousKey: nkeyPublic, reason: humanMessage }),
);
/** The first hello of a re-keyed device: its new key, pending an operator's approval (or a token). */
export const DeviceKeyPresented = defineEvent(
  "DeviceKeyPresented",
  1,
  z.strictObject({ publicKey: nkeyPublic }),
);
export const DeviceTagsChanged = defineEvent("DeviceTagsChanged", 1, z.strictObject({ tags }));
export const DeviceCredentialsIssued = defineEvent(
  "DeviceCredentialsIssued",
  1,
  // The public key only: credentials themselves are secrets and never enter an event.
  z.strictObject({ publicKey: nkeyPublic, expiresAt: isoInstant.optional() }),
);
/**
 * The device's agent said (hello header `Statecast-Target-Watch: fixed-consumer`) that it needs
 * no consumer but its one fixed one (agents since issue 16 hold none). From then on credentials
 * issued to this key allow only that consumer, whatever a later hello says: the bound holds once
 * a device upgraded.
 */
export const DeviceTargetWatchBounded = defineEvent(
  "DeviceTargetWatchBounded",
  1,
  z.strictObject({ publicKey: nkeyPublic }),
);
export const DeviceCredentialsRevoked = defineEvent(
  "DeviceCredentialsRevoked",
  1,
  z.strictObject({ publicKey: nkeyPublic, reason: humanMessage }),
);
export const DeviceCameOnline = defineEvent(
  "DeviceCameOnline",
  1,
  z.strictObject({
    bootId: z.string().min(1).max(128),
    agentVersion: z.string().max(64).optional(),
  }),
);
export const DeviceWentOffline = defineEvent(
  "DeviceWentOffline",
  1,
  z.strictObject({ lastSeenAt: isoInstant }),
);
export const TargetAssigned = defineEvent(
  "TargetAssigned",
  1,
  z.strictObject({
    revision: revisionRef,
    digest: sha256Hex,
    rolloutId: z.string().min(1).optional(),
    waveIndex: z.int().nonnegative().optional(),
    seq: z.int().positive(),
    expiresAt: isoInstant.optional(),
    /** Issue 20: the device installs only inside one of these (absent in older events: always). */
    maintenanceWindows: maintenanceWindows.optional(),
    /** Issue 20: the device asks its apps' consent before it installs. */
    consentRequired: z.boolean().optional(),
    /** Issue 20: an operator forced this target's install, window or not. */
    installNow: z.boolean().optional(),
  }),
);
/**
 * Issue 20: an operator forced the install of target `seq` now, whatever its maintenance window
 * or an app's update lock say (the actor is in the metadata, so it is in the audit).
 */
export const TargetInstallForced = defineEvent(
  "TargetInstallForced",
  1,
  z.strictObject({ revision: revisionRef, seq: z.int().positive(), reason: humanMessage }),
);
export const TargetCancelled = defineEvent(
  "TargetCancelled",
  1,
  z.strictObject({ revision: revisionRef, seq: z.int().positive(), reason: humanMessage }),
);
export const UpdateProgressReported = defineEvent(
  "UpdateProgressReported",
  1,
  z.strictObject({
    bootId: z.string().min(1).max(128),
    seq: z.int().nonnegative(),
    revision: revisionRef,
    status: updateStatus,
    progress: z.int().min(0).max(100),
    message: humanMessage.optional(),
    reason: failureReason.optional(),
    downloads: z
      .strictObject({
        total: z.int().nonnegative(),
        done: z.int().nonnegative(),
        objects: z.int().nonnegative().optional(),
        /** Full size of the objects the device lacked (agents since issue 21). */
        needed: z.int().nonnegative().optional(),
        /** Of `done`, the bytes fetched as object deltas. */
        delta: z.int().nonnegative().optional(),
        /** Bytes reused from earlier partial downloads. */
        resumed: z.int().nonnegative().optional(),
      })
      .optional(),
  }),
  progressAsIs,
);
export const UpdateSucceeded = defineEvent(
  "UpdateSucceeded",
  1,
  z.strictObject({
    revision: revisionRef,
    status: z.enum(["DONE", "UPDATED"]),
    report: reportCursor.optional(),
    // `message` (since issue 13): the success report's own words when it had any (a board's DONE
    // names the kernel it booted). Events of earlier releases lack it; nothing decides on it.
    message: humanMessage.optional(),
  }),
  succeededAsIs,
);
export const UpdateFailed = defineEvent(
  "UpdateFailed",
  1,
  z.strictObject({
    revision: revisionRef,
    reason: failureReason,
    message: humanMessage,
    report: reportCursor.optional(),
  }),
);
export const UpdateRejected = defineEvent(
  "UpdateRejected",
  1,
  // WONTGO: refused before install.
  z.strictObject({
    revision: revisionRef,
    reason: failureReason,
    message: humanMessage,
    report: reportCursor.optional(),
  }),
);
export const DeviceRolledBack = defineEvent(
  "DeviceRolledBack",
  1,
  z.strictObject({
    from: revisionRef,
    to: revisionRef,
    reason: failureReason,
    report: reportCursor.optional(),
  }),
);
export const DeviceDecommissioned = defineEvent(
  "DeviceDecommissioned",
  1,
  z.strictObject({ reason: humanMessage }),
);

export const deviceCatalog = [
  DeviceEnrolled,
  DeviceApproved,
  DeviceRekeyed,
  DeviceKeyPresented,
  DeviceTagsChanged,
  DeviceCredentialsIssued,
  DeviceTargetWatchBounded,
  DeviceCredentialsRevoked,
  DeviceCameOnline,
  DeviceWentOffline,
  TargetAssigned,
  TargetCancelled,
  TargetInstallForced,
  UpdateProgressReported,
  UpdateSucceeded,
  UpdateFailed,
  UpdateRejected,
  DeviceRolledBack,
  DeviceDecommissioned,
  DeviceHealthReported,
  BundleInstallReported,
  DeviceLogsRequested,
] as const;
