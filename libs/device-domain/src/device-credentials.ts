import { DeviceEvents, isEvent } from "@statecast/events";

/**
 * Who a device is and which key may act for it, folded from its stream: the ONE fold that
 * enrollment (the gateway's hello), revocation (the orchestrator) and object access (the
 * gateway) decide with, so they cannot disagree on which key holds credentials.
 */
export interface DeviceCredentials {
  /**
   * The key the device enrolled with, or presented after an operator re-keyed it (its identity;
   * a hello with another key is refused); undefined while a re-keyed device has not said hello.
   */
  publicKey: string | undefined;
  fleet: string;
  approval: "pending" | "approved" | "decommissioned";
  /** The key credentials were last issued to (`DeviceCredentialsIssued`), until revoked. */
  issuedTo: string | undefined;
  /** Every key whose credentials were revoked. */
  revoked: ReadonlySet<string>;
  /** Keys whose agent said it watches through its one fixed consumer (`DeviceTargetWatchBounded`). */
  watchBounded: ReadonlySet<string>;
}

/** evolve(state, event) → state, pure; undefined until the device enrolled. */
export function evolveDeviceCredentials(
  state: DeviceCredentials | undefined,
  event: { type: string; data: unknown },
): DeviceCredentials | undefined {
  if (isEvent(event, DeviceEvents.DeviceEnrolled)) {
    const { publicKey, fleet, enrolledWith } = event.data;
    const approval = enrolledWith === "token" ? "approved" : "pending";
    return {
      publicKey,
      fleet,
      approval,
      issuedTo: undefined,
      revoked: new Set(),
      watchBounded: new Set(),
    };
  }
  if (!state) return state;
  if (event.type === "DeviceApproved") return { ...state, approval: "approved" };
  if (isEvent(event, DeviceEvents.DeviceRekeyed)) {
    // The old key no longer acts for the device, whether or not it ever held credentials.
    const revoked = new Set([...state.revoked, event.data.previousKey]);
    const { issuedTo } = state;
    return {
      ...state,
      publicKey: undefined,
      approval: "pending",
      issuedTo: issuedTo === event.data.previousKey ? undefined : issuedTo,
      revoked,
    };
  }
  if (isEvent(event, DeviceEvents.DeviceKeyPresented))
    return { ...state, publicKey: event.data.publicKey };
  if (event.type === "DeviceDecommissioned") return { ...state, approval: "decommissioned" };
  if (isEvent(event, DeviceEvents.DeviceCredentialsIssued))
    return { ...state, issuedTo: event.data.publicKey };
  if (isEvent(event, DeviceEvents.DeviceTargetWatchBounded))
    return { ...state, watchBounded: new Set([...state.watchBounded, event.data.publicKey]) };
  if (isEvent(event, DeviceEvents.DeviceCredentialsRevoked)) {
    const key = event.data.publicKey;
    const issuedTo = state.issuedTo === key ? undefined : state.issuedTo;
    return { ...state, issuedTo, revoked: new Set([...state.revoked, key]) };
  }
  return state;
}

export function foldDeviceCredentials(
  events: readonly { type: string; data: unknown }[],
): DeviceCredentials | undefined {
  return events.reduce(evolveDeviceCredentials, undefined);
}

/**
 * The key that may act for the device (sign its object-access tokens): the one credentials were
 * issued to, else its enrolled key unless revoked; none once decommissioned.
 */
export function actingKey(state: DeviceCredentials | undefined): string | undefined {
  if (!state || state.approval === "decommissioned") return undefined;
  if (state.issuedTo) return state.issuedTo;
  const key = state.publicKey;
  return key === undefined || state.revoked.has(key) ? undefined : key;
}
