import { type DeviceState, isEnrolled } from "@statecast/device-domain";
import {
  type DeviceEvents,
  type EventOf,
  IllegalStateError,
  NotFoundError,
} from "@statecast/events";

/** decide(revoke, device) → the DeviceCredentialsRevoked event, pure; the device aggregate's state. */
export function decideRevoke(
  deviceId: string,
  reason: string,
  device: DeviceState,
): EventOf<typeof DeviceEvents.DeviceCredentialsRevoked>[] {
  if (!isEnrolled(device)) throw new NotFoundError(`device ${deviceId} not found`);
  const publicKey = device.credentialsKey;
  if (publicKey === null) {
    throw new IllegalStateError(`device ${deviceId} holds no credentials to revoke`);
  }
  return [{ type: "DeviceCredentialsRevoked", data: { publicKey, reason } }];
}
