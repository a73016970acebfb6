import * as z from "zod/mini";
import { ValidationError } from "./errors.js";

/**
 * THE device-id rule, the one enrollment uses: a device id is one NATS subject token and one KV
 * key, so no dots, wildcards, spaces or `$`, and a bounded size. The API refuses any other id:
 * a device could never enroll with it.
 */
export const DEVICE_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const DEVICE_ID_RULE = "1-64 characters of A-Z a-z 0-9 _ -";

export const deviceIdSchema = z
  .string()
  .check(z.regex(DEVICE_ID, `expected a device id of ${DEVICE_ID_RULE}`));

export function isDeviceId(value: unknown): value is string {
  return typeof value === "string" && DEVICE_ID.test(value);
}

export function assertDeviceId(deviceId: string): void {
  if (!isDeviceId(deviceId)) {
    throw new ValidationError(
      `device id ${JSON.stringify(String(deviceId).slice(0, 80))} is not ${DEVICE_ID_RULE}`,
    );
  }
}
