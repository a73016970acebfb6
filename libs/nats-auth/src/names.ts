import { ValidationError } from "@statecast/events";

/** Holds JetStream (streams, KV, object store) and the service users. */
export const SERVICES_ACCOUNT_NAME = "SERVICES";
/** Holds only device users; sees just the subjects SERVICES exports to it. */
export const DEVICES_ACCOUNT_NAME = "DEVICES";
export const SYSTEM_ACCOUNT_NAME = "SYS";
export const OPERATOR_NAME = "statecast";

/**
 * Where the DEVICES account sees the JetStream calls SERVICES exports to it (a device's
 * `jetstream(nc, { apiPrefix })`). Not `$JS.API`, which each account answers for itself.
 */
export const DEVICE_JS_API_PREFIX = "$JS.services.API";
/** Deliveries and replies to devices: `sc.inbox.<deviceId>.…`, a stream SERVICES exports. */
export const DEVICE_INBOX_ROOT = "sc.inbox";

/** KV bucket of per-device targets, and its backing stream. */
export const TARGETS_BUCKET = "sc_targets";
export const TARGETS_STREAM = `KV_${TARGETS_BUCKET}`;
/** Object Store bucket of content-addressed objects, and its backing stream. */
export const OBJECTS_BUCKET = "sc_objects";
export const OBJECTS_STREAM = `OBJ_${OBJECTS_BUCKET}`;

// A device id becomes one subject token: no dots, wildcards, spaces or `$`, and a bounded size.
const DEVICE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const USER_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export function assertDeviceId(deviceId: string): void {
  if (!DEVICE_ID.test(deviceId)) {
    throw new ValidationError(
      `device id ${JSON.stringify(deviceId.slice(0, 80))} is not 1-64 characters of A-Z a-z 0-9 _ -`,
    );
  }
}

export function assertUserName(name: string): void {
  if (!USER_NAME.test(name)) {
    throw new ValidationError(
      `user name ${JSON.stringify(name.slice(0, 80))} is not 1-64 characters of A-Z a-z 0-9 _ . -`,
    );
  }
}

/** The inbox prefix a device must use; its credentials allow no other reply subjects. */
export function deviceInboxPrefix(deviceId: string): string {
  assertDeviceId(deviceId);
  return `${DEVICE_INBOX_ROOT}.${deviceId}`;
}
