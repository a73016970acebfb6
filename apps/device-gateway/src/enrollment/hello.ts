import type { RecordedEvent } from "@statecast/events";
import { z } from "zod";

/** What a device sends on `sc.dev.<id>.hello`. */
export const Hello = z.strictObject({
  deviceId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, "expected 1-64 characters of A-Z a-z 0-9 _ -"),
  publicKey: z.string().regex(/^U[A-Z2-7]{55}$/, "expected a NATS user public nkey (U…)"),
  fleet: z.string().min(1).max(128),
  enrollmentToken: z.string().min(1).max(256).optional(),
});
export type Hello = z.infer<typeof Hello>;

/** The device as enrollment sees it, folded from its stream. */
export interface EnrollmentState {
  publicKey: string;
  approval: "pending" | "approved" | "decommissioned";
  issuedTo: string | undefined;
  revoked: ReadonlySet<string>;
}

export function foldEnrollment(events: readonly RecordedEvent[]): EnrollmentState | undefined {
  let state: EnrollmentState | undefined;
  for (const event of events) {
    const data = event.data as { publicKey?: string; enrolledWith?: string };
    if (event.type === "DeviceEnrolled") {
      state = {
        publicKey: data.publicKey ?? "",
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

export type HelloEvent =
  | {
      type: "DeviceEnrolled";
      data: {
        deviceId: string;
        publicKey: string;
        fleet: string;
        tags: Record<string, string>;
        enrolledWith: "approval";
      };
    }
  | { type: "DeviceCredentialsIssued"; data: { publicKey: string } };

export type HelloDecision =
  | { outcome: "pending"; events: HelloEvent[] }
  | { outcome: "issue"; events: HelloEvent[] }
  | { outcome: "refused"; reason: string };

/** decide(hello, device) → events and what to answer, pure. */
export function decideHello(hello: Hello, device: EnrollmentState | undefined): HelloDecision {
  if (hello.enrollmentToken !== undefined) {
    return {
      outcome: "refused",
      reason:
        "enrollment tokens are not accepted by this gateway yet: say hello without one and have an operator approve the device",
    };
  }
  if (!device) {
    const { deviceId, publicKey, fleet } = hello;
    const data = { deviceId, publicKey, fleet, tags: {}, enrolledWith: "approval" as const };
    return { outcome: "pending", events: [{ type: "DeviceEnrolled", data }] };
  }
  if (device.publicKey !== hello.publicKey) {
    return { outcome: "refused", reason: `device ${hello.deviceId} is enrolled with another key` };
  }
  if (device.approval === "decommissioned") {
    return { outcome: "refused", reason: `device ${hello.deviceId} is decommissioned` };
  }
  if (device.revoked.has(hello.publicKey)) {
    return {
      outcome: "refused",
      reason: `the credentials of device ${hello.deviceId} were revoked`,
    };
  }
  if (device.approval === "pending") return { outcome: "pending", events: [] };
  const issued = device.issuedTo === hello.publicKey;
  const events: HelloEvent[] = issued
    ? []
    : [{ type: "DeviceCredentialsIssued", data: { publicKey: hello.publicKey } }];
  return { outcome: "issue", events };
}
