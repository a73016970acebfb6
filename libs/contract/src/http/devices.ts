import { z } from "zod";
import { DEVICE_ID, DEVICE_ID_RULE } from "../device-id.js";
import { KEY_FINGERPRINT } from "../key-fingerprint.js";
import { queryInt } from "./events.js";
import { isoInstant } from "./instant.js";

/** The path of `/v1/devices/:id/…`. */
export const deviceIdParams = z.strictObject({
  id: z.string().regex(DEVICE_ID, { message: `device id must be ${DEVICE_ID_RULE}` }),
});
export type DeviceIdParams = z.output<typeof deviceIdParams>;

/** `POST /v1/devices/:id/revoke`: the device's credentials stop working. */
export const revokeCredentialsRequest = z.strictObject({
  reason: z.string().max(1024).optional(),
});
export type RevokeCredentialsRequest = z.output<typeof revokeCredentialsRequest>;

/** What `POST /v1/devices/:id/revoke` answers. */
export const revokedCredentials = z.strictObject({
  deviceId: z.string(),
  publicKey: z.string().describe("The device's user public nkey whose JWTs no longer work"),
  version: z.int().nonnegative(),
});
export type RevokedCredentials = z.output<typeof revokedCredentials>;

/** The query of `GET /v1/devices/:id/logs`. */
export const deviceLogsQuery = z.strictObject({
  part: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, { message: "part must be a part name or agent" })
    .optional()
    .describe("`agent` (default) or a part name"),
  since: isoInstant("since").optional().describe("only lines from this instant on (ISO 8601)"),
  follow: z
    .enum(["true", "false"], { message: "follow must be true or false" })
    .optional()
    .describe(
      "true (or Accept: text/event-stream): Server-Sent Events, the snapshot then each new line, until the client disconnects",
    ),
});
export type DeviceLogsQuery = z.output<typeof deviceLogsQuery>;

/** What `GET /v1/devices/:id/logs` answers (without follow). */
export const deviceLogs = z.strictObject({
  deviceId: z.string(),
  part: z.string(),
  requestId: z.string().describe("the DeviceLogsRequested event's request id"),
  text: z.string(),
});
export type DeviceLogs = z.output<typeof deviceLogs>;

/** Update statuses a device's last report may carry (Pantavisor's names, and NEW, CANCELLED). */
export const UPDATE_STATUSES = [
  "NEW",
  "QUEUED",
  "DOWNLOADING",
  "INPROGRESS",
  "TESTING",
  "DONE",
  "UPDATED",
  "WONTGO",
  "ERROR",
  "CANCELLED",
] as const;

export const APPROVALS = ["pending", "approved", "decommissioned"] as const;

/** The query of `GET /v1/devices`: every filter ANDed, a page at a time. */
export const deviceListQuery = z.strictObject({
  fleet: z.string().max(128).optional(),
  tag: z.string().max(512).optional().describe("key=value (tag equals) or key (tag present)"),
  status: z.enum(UPDATE_STATUSES).optional().describe("last update status"),
  presence: z.enum(["online", "offline"]).optional(),
  approval: z.enum(APPROVALS).optional(),
  revision: queryInt("revision", 1, 2 ** 31 - 1)
    .optional()
    .describe("number of the revision the device runs"),
  after: z.string().max(128).optional().describe("the `next` value of the previous page"),
  limit: queryInt("limit", 1, 1000).optional().meta({ default: 100 }),
});
export type DeviceListQuery = z.output<typeof deviceListQuery>;

/** The query of `GET /v1/devices/:id`. */
export const deviceAtQuery = z.strictObject({
  at: isoInstant("at")
    .optional()
    .describe(
      "time travel: the device as it was at this ISO instant, to the millisecond (events recorded up to the end of that millisecond count; finer digits are ignored)",
    ),
});
export type DeviceAtQuery = z.output<typeof deviceAtQuery>;

/** The query of `GET /v1/devices/:id/history`. */
export const deviceHistoryQuery = z.strictObject({
  after: queryInt("after", 0, 2 ** 31 - 1)
    .optional()
    .describe("events after this stream version"),
  limit: queryInt("limit", 1, 1000).optional().meta({ default: 100 }),
});
export type DeviceHistoryQuery = z.output<typeof deviceHistoryQuery>;

/** The query of `GET /v1/devices/summary`. */
export const deviceSummaryQuery = z.strictObject({ fleet: z.string().max(128).optional() });
export type DeviceSummaryQuery = z.output<typeof deviceSummaryQuery>;

/** `PATCH /v1/devices/:id`: the device's tags, replaced whole (the event's rule for tags). */
export const patchTagsRequest = z.strictObject({
  tags: z
    .record(z.string().min(1).max(128), z.string().max(256))
    .meta({ example: { site: "lab" } }),
});
export type PatchTagsRequest = z.output<typeof patchTagsRequest>;

/** `POST /v1/devices/:id/decommission`, and why an operator forces an install now (issue 20). */
export const deviceReasonRequest = z.strictObject({ reason: z.string().max(4096).optional() });
export type DeviceReasonRequest = z.output<typeof deviceReasonRequest>;

/** `POST /v1/devices/:id/rekey`. */
export const rekeyDeviceRequest = z.strictObject({ reason: z.string().max(1000).optional() });
export type RekeyDeviceRequest = z.output<typeof rekeyDeviceRequest>;

/** `POST /v1/devices/:id/approve`. */
export const approveDeviceRequest = z.strictObject({
  keyFingerprint: z
    .string()
    .regex(KEY_FINGERPRINT, { message: "keyFingerprint must be 16 lowercase hex digits" })
    .optional()
    .describe(
      "approve only this key: the device's `keyFingerprint` as shown by the API (409 when the device is pending with another key)",
    ),
});
export type ApproveDeviceRequest = z.output<typeof approveDeviceRequest>;
