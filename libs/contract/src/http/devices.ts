import { z } from "zod";
import { DEVICE_ID, DEVICE_ID_RULE } from "../device-id.js";
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
