import { FLEET_NAME, FLEET_NAME_MESSAGE, type RecordedEvent } from "@statecast/events";
import { z } from "zod";

/** What a device sends on `sc.dev.<id>.hello`. */
export const Hello = z.strictObject({
  deviceId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, "expected 1-64 characters of A-Z a-z 0-9 _ -"),
  publicKey: z.string().regex(/^U[A-Z2-7]{55}$/, "expected a NATS user public nkey (U…)"),
  fleet: z.string().regex(FLEET_NAME, FLEET_NAME_MESSAGE),
  enrollmentToken: z.string().min(1).max(256).optional(),
});
export type Hello = z.infer<typeof Hello>;

/** The device as enrollment sees it, folded from its stream. */
export interface EnrollmentState {
  publicKey: string;
  fleet: string;
  approval: "pending" | "approved" | "decommissioned";
  issuedTo: string | undefined;
  revoked: ReadonlySet<string>;
}

export function foldEnrollment(events: readonly RecordedEvent[]): EnrollmentState | undefined {
  let state: EnrollmentState | undefined;
  for (const event of events) {
    const data = event.data as { publicKey?: string; fleet?: string; enrolledWith?: string };
    if (event.type === "DeviceEnrolled") {
      state = {
        publicKey: data.publicKey ?? "",
        fleet: data.fleet ?? "",
        approval: data.enrolledWith === "token" ? "approved" : "pending",
        issuedTo: undefined,
        revoked: new Set(),
      };
    } else if (state && event.type === "DeviceApproved") {
      state = { ...state, approval: "approved" };
    } else if (state && event.type === "DeviceCredentialsIssued") {
      state = { ...state, issuedTo: data.publicKey };
    } else if (state && event.type === "DeviceCredentialsRevoked" && data.publicKey) {
      state = {
        ...state,
        issuedTo: undefined,
        revoked: new Set([...state.revoked, data.publicKey]),
      };
    } else if (state && event.type === "DeviceDecommissioned") {
      state = { ...state, approval: "decommissioned" };
    }
  }
  return state;
}

type DeviceEnrolledData = {
  deviceId: string;
  publicKey: string;
  fleet: string;
  tags: Record<string, string>;
  enrolledWith: "approval" | "token";
};

export type HelloEvent =
  | { type: "DeviceEnrolled"; data: DeviceEnrolledData }
  | { type: "DeviceApproved"; data: { by: string } }
  | { type: "DeviceCredentialsIssued"; data: { publicKey: string } };

/** The enrollment token of a hello, as checked against its stream (see enrollmentTokenRefusal). */
export type TokenCheck =
  | { kind: "none" }
  | { kind: "valid"; tokenId: string; tags: Record<string, string> }
  | { kind: "refused"; reason: string };

/** A use of a token, appended to its stream in the same transaction as the device's events. */
export interface TokenUse {
  tokenId: string;
  event: { type: "EnrollmentTokenUsed"; data: { deviceId: string; publicKey: string } };
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
  device: EnrollmentState | undefined,
  token: TokenCheck,
): HelloDecision {
  const { deviceId, publicKey, fleet } = hello;
  if (!device) {
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
  if (device.publicKey !== publicKey) {
    return { outcome: "refused", reason: `device ${deviceId} is enrolled with another key` };
  }
  if (device.approval === "decommissioned") {
    return { outcome: "refused", reason: `device ${deviceId} is decommissioned` };
  }
  if (device.revoked.has(publicKey)) {
    return { outcome: "refused", reason: `the credentials of device ${deviceId} were revoked` };
  }
  if (device.approval === "approved") {
    return { outcome: "issue", events: device.issuedTo === publicKey ? [] : [issued(publicKey)] };
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
    events: [
      { type: "DeviceApproved", data: { by: `enrollment-token:${token.tokenId}` } },
      issued(publicKey),
    ],
    tokenUse: use(token.tokenId, hello),
  };
}

function issued(publicKey: string): HelloEvent {
  return { type: "DeviceCredentialsIssued", data: { publicKey } };
}

function use(tokenId: string, hello: Hello): TokenUse {
  const data = { deviceId: hello.deviceId, publicKey: hello.publicKey };
  return { tokenId, event: { type: "EnrollmentTokenUsed", data } };
}
