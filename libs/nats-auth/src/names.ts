import { ValidationError } from "@statecast/contract";

export {
  assertDeviceId,
  DEVICE_INBOX_ROOT,
  DEVICE_JS_API_PREFIX,
  deviceInboxPrefix,
  OBJECTS_BUCKET,
  OBJECTS_STREAM,
  TARGETS_BUCKET,
  TARGETS_STREAM,
} from "@statecast/contract";

/** Holds JetStream (streams, KV, object store) and the service users. */
export const SERVICES_ACCOUNT_NAME = "SERVICES";
/** Holds only device users; sees just the subjects SERVICES exports to it. */
export const DEVICES_ACCOUNT_NAME = "DEVICES";
export const SYSTEM_ACCOUNT_NAME = "SYS";
export const OPERATOR_NAME = "statecast";
const USER_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export function assertUserName(name: string): void {
  if (!USER_NAME.test(name)) {
    throw new ValidationError(
      `user name ${JSON.stringify(name.slice(0, 80))} is not 1-64 characters of A-Z a-z 0-9 _ . -`,
    );
  }
}
