import type { RecordedEvent } from "@statecast/events";
import { decideHello, foldEnrollment, Hello } from "./hello.js";

const keyA = `U${"A".repeat(55)}`;
const keyB = `U${"B".repeat(55)}`;
const hello = { deviceId: "dev-1", publicKey: keyA, fleet: "fleet" };
let version = 0;
const recorded = (type: string, data: unknown) =>
  ({ type, data, streamId: "device:dev-1", version: ++version }) as unknown as RecordedEvent;
const enrolled = recorded("DeviceEnrolled", { ...hello, tags: {}, enrolledWith: "approval" });
const approved = recorded("DeviceApproved", { by: "operator:alice" });
const issued = recorded("DeviceCredentialsIssued", { publicKey: keyA });

describe("Hello", () => {
  it("refuses a seed or a non-user key in place of the public key", () => {
    expect(Hello.safeParse({ ...hello, publicKey: `SU${"A".repeat(56)}` }).success).toBe(false);
    expect(Hello.safeParse({ ...hello, publicKey: `N${"A".repeat(55)}` }).success).toBe(false);
    expect(Hello.safeParse({ ...hello, extra: 1 }).success).toBe(false);
    expect(Hello.parse(hello)).toEqual(hello);
  });
});

describe("decideHello", () => {
  it("enrolls an unknown device as pending", () => {
    expect(decideHello(hello, undefined)).toEqual({
      outcome: "pending",
      events: [
        {
          type: "DeviceEnrolled",
          data: { ...hello, tags: {}, enrolledWith: "approval" },
        },
      ],
    });
  });

  it("keeps a pending device pending without a new event", () => {
    expect(decideHello(hello, foldEnrollment([enrolled]))).toEqual({
      outcome: "pending",
      events: [],
    });
  });

  it("issues once after approval, then answers with creds without another event", () => {
    expect(decideHello(hello, foldEnrollment([enrolled, approved]))).toEqual({
      outcome: "issue",
      events: [{ type: "DeviceCredentialsIssued", data: { publicKey: keyA } }],
    });
    expect(decideHello(hello, foldEnrollment([enrolled, approved, issued]))).toEqual({
      outcome: "issue",
      events: [],
    });
  });

  it("refuses another key, a revoked key and a decommissioned device", () => {
    const state = foldEnrollment([enrolled, approved, issued]);
    expect(decideHello({ ...hello, publicKey: keyB }, state)).toMatchObject({ outcome: "refused" });
    const revoked = recorded("DeviceCredentialsRevoked", { publicKey: keyA, reason: "x" });
    expect(decideHello(hello, foldEnrollment([enrolled, approved, issued, revoked]))).toEqual({
      outcome: "refused",
      reason: "the credentials of device dev-1 were revoked",
    });
    const gone = recorded("DeviceDecommissioned", { reason: "" });
    expect(decideHello(hello, foldEnrollment([enrolled, approved, gone]))).toMatchObject({
      outcome: "refused",
      reason: "device dev-1 is decommissioned",
    });
  });

  it("refuses an enrollment token until tokens are checked", () => {
    expect(decideHello({ ...hello, enrollmentToken: "t" }, undefined)).toMatchObject({
      outcome: "refused",
    });
  });
});
