import {
  DeviceEvents,
  IllegalStateError,
  isEvent,
  NotFoundError,
  type RecordedEvent,
} from "@statecast/events";

/** What revocation needs to know of a device: whether it exists, and whose key holds creds. */
export interface CredentialState {
  enrolled: boolean;
  issuedTo: string | undefined;
}

export const noDevice = (): CredentialState => ({ enrolled: false, issuedTo: undefined });

export function evolveCredentials(state: CredentialState, event: RecordedEvent): CredentialState {
  if (isEvent(event, DeviceEvents.DeviceEnrolled)) return { enrolled: true, issuedTo: undefined };
  if (isEvent(event, DeviceEvents.DeviceCredentialsIssued))
    return { ...state, issuedTo: event.data.publicKey };
  if (isEvent(event, DeviceEvents.DeviceCredentialsRevoked))
    return event.data.publicKey === state.issuedTo ? { ...state, issuedTo: undefined } : state;
  return state;
}

/** decide(revoke, state) → the DeviceCredentialsRevoked event, pure. */
export function decideRevoke(
  deviceId: string,
  reason: string,
  state: CredentialState,
): { type: "DeviceCredentialsRevoked"; data: { publicKey: string; reason: string } }[] {
  if (!state.enrolled) throw new NotFoundError(`device ${deviceId} not found`);
  if (state.issuedTo === undefined) {
    throw new IllegalStateError(`device ${deviceId} holds no credentials to revoke`);
  }
  return [{ type: "DeviceCredentialsRevoked", data: { publicKey: state.issuedTo, reason } }];
}
