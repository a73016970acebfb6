import { type DeviceCredentials, evolveDeviceCredentials } from "@statecast/device-domain";
import {
  type DeviceEvents,
  type EventOf,
  IllegalStateError,
  NotFoundError,
} from "@statecast/events";

/** What revocation knows of a device: the device aggregate's credentials fold. */
export type CredentialState = DeviceCredentials | undefined;

export const noDevice = (): CredentialState => undefined;
export const evolveCredentials = evolveDeviceCredentials;

/** decide(revoke, state) → the DeviceCredentialsRevoked event, pure. */
export function decideRevoke(
  deviceId: string,
  reason: string,
  state: CredentialState,
): EventOf<typeof DeviceEvents.DeviceCredentialsRevoked>[] {
  if (!state) throw new NotFoundError(`device ${deviceId} not found`);
  if (state.issuedTo === undefined) {
    throw new IllegalStateError(`device ${deviceId} holds no credentials to revoke`);
  }
  return [{ type: "DeviceCredentialsRevoked", data: { publicKey: state.issuedTo, reason } }];
}
