import { z } from "zod";
import { DEVICE_ID, DEVICE_ID_RULE } from "../device-id.js";

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
