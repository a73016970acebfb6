import type { Hello } from "@statecast/contract";
import {
  type DeviceState,
  isDecommissioned,
  isEnrolled,
  isRevokedKey,
  isWatchBounded,
} from "@statecast/device-domain";
import type { DeviceEvents, EnrollmentEvents, EventOf } from "@statecast/events";

/** The device as enrollment sees it: the one device aggregate (libs/device-domain). */
export type EnrollmentState = DeviceState;

/** What a hello may append to the device's stream: typed from the device catalog's schemas. */
export type HelloEvent = EventOf<
  | typeof DeviceEvents.DeviceEnrolled
  | typeof DeviceEvents.DeviceApproved
  | typeof DeviceEvents.DeviceKeyPresented
  | typeof DeviceEvents.DeviceCredentialsIssued
  | typeof DeviceEvents.DeviceTargetWatchBounded
>;

/** The enrollment token of a hello, as checked against its stream (see enrollmentTokenRefusal). */
export type TokenCheck =
  | { kind: "none" }
  | { kind: "valid"; tokenId: string; tags: Record<string, string> }
  | { kind: "refused"; reason: string };

/** A use of a token, appended to its stream in the same transaction as the device's events. */
export interface TokenUse {
  tokenId: string;
  event: EventOf<typeof EnrollmentEvents.EnrollmentTokenUsed>;
}

export type HelloDecision =
  | { outcome: "pending"; events: HelloEvent[] }
  | { outcome: "issue"; events: HelloEvent[]; tokenUse?: TokenUse }
  | { outcome: "refused"; reason: string };

/**
 * decide(hello, device, token) → events and what to answer, pure. A valid token enrolls and
 * approves a new device, or approves a pending one of the token's fleet; a device already
 * approved gets its credentials whatever token it sends (the token is neither checked nor used).
 */
export function decideHello(
  hello: Hello,
  device: EnrollmentState,
  token: TokenCheck,
): HelloDecision {
  const { deviceId, publicKey, fleet } = hello;
  if (!isEnrolled(device)) {
    if (token.kind === "refused") return { outcome: "refused", reason: token.reason };
    if (token.kind === "none") {
      const data = { deviceId, publicKey, fleet, tags: {}, enrolledWith: "approval" as const };
      return { outcome: "pending", events: [{ type: "DeviceEnrolled", data }] };
    }
    const data = { deviceId, publicKey, fleet, tags: token.tags, enrolledWith: "token" as const };
    return {
      outcome: "issue",
      events: [{ type: "DeviceEnrolled", data }, issued(publicKey)],
      tokenUse: use(token.tokenId, hello),
    };
  }
  if (isDecommissioned(device)) {
    return { outcome: "refused", reason: `device ${deviceId} is decommissioned` };
  }
  if (isRevokedKey(device, publicKey)) {
    return { outcome: "refused", reason: `the credentials of device ${deviceId} were revoked` };
  }
  if (device.publicKey === null) return presentKey(hello, device, token);
  if (device.publicKey !== publicKey) {
    return { outcome: "refused", reason: `device ${deviceId} is enrolled with another key` };
  }
  if (device.approval === "approved") {
    return {
      outcome: "issue",
      events: device.credentialsKey === publicKey ? [] : [issued(publicKey)],
    };
  }
  if (token.kind === "none") return { outcome: "pending", events: [] };
  if (token.kind === "refused") return { outcome: "refused", reason: token.reason };
  if (device.fleet !== fleet) {
    return {
      outcome: "refused",
      reason: `device ${deviceId} is enrolled in fleet ${device.fleet}`,
    };
  }
  return {
    outcome: "issue",
    events: [approvedByToken(token.tokenId, publicKey), issued(publicKey)],
    tokenUse: use(token.tokenId, hello),
  };
}

/**
 * The first hello of a device an operator re-keyed: its new key is recorded and waits for an
 * approval, or a valid token of the device's fleet approves it at once.
 */
function presentKey(hello: Hello, device: EnrollmentState, token: TokenCheck): HelloDecision {
  const { deviceId, publicKey, fleet } = hello;
  const presented: HelloEvent = { type: "DeviceKeyPresented", data: { publicKey } };
  if (token.kind === "none") return { outcome: "pending", events: [presented] };
  if (token.kind === "refused") return { outcome: "refused", reason: token.reason };
  if (device.fleet !== fleet) {
    return {
      outcome: "refused",
      reason: `device ${deviceId} is enrolled in fleet ${device.fleet}`,
    };
  }
  return {
    outcome: "issue",
    events: [presented, approvedByToken(token.tokenId, publicKey), issued(publicKey)],
    tokenUse: use(token.tokenId, hello),
  };
}

function approvedByToken(tokenId: string, publicKey: string): HelloEvent {
  return { type: "DeviceApproved", data: { by: `enrollment-token:${tokenId}`, publicKey } };
}

function issued(publicKey: string): HelloEvent {
  return { type: "DeviceCredentialsIssued", data: { publicKey } };
}

function use(tokenId: string, hello: Hello): TokenUse {
  const data = { deviceId: hello.deviceId, publicKey: hello.publicKey };
  return { tokenId, event: { type: "EnrollmentTokenUsed", data } };
}

/**
 * STATECAST_LEGACY_TARGET_WATCH: which hellos get the earlier target-watch permissions (any
 * consumer name on the device's own key), for agents that watch with `kv.watch`. `auto`: a hello
 * without the fixed-consumer header, from a key that never sent it; `on`: every hello without it
 * (to recover a device whose agent went back to an earlier release); `off`: none.
 */
export type LegacyTargetWatch = "auto" | "on" | "off";

/**
 * decide(device, hello's key, whether its agent announced the fixed consumer, mode) → the watch
 * permissions to issue, and the event that pins the bound on a key that announces it first.
 */
export function decideTargetWatch(
  device: EnrollmentState,
  publicKey: string,
  announcedFixed: boolean,
  mode: LegacyTargetWatch,
): { legacy: boolean; events: HelloEvent[] } {
  const bounded = isWatchBounded(device, publicKey);
  if (announcedFixed) {
    const events: HelloEvent[] = bounded
      ? []
      : [{ type: "DeviceTargetWatchBounded", data: { publicKey } }];
    return { legacy: false, events };
  }
  return { legacy: mode === "on" || (mode === "auto" && !bounded), events: [] };
}
