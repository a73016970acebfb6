import { helloSchema as Hello } from "@statecast/contract";
import { foldDevice } from "@statecast/device-domain";
import type { RecordedEvent } from "@statecast/events";
import { decideHello, decideTargetWatch, type TokenCheck } from "./hello.js";

const none: TokenCheck = { kind: "none" };

const keyA = `U${"A".repeat(55)}`;
const keyB = `U${"B".repeat(55)}`;
const hello = { deviceId: "dev-1", publicKey: keyA, fleet: "fleet" };
let version = 0;
const recorded = (type: string, data: unknown) =>
  ({ type, data, streamId: "device:dev-1", version: ++version }) as unknown as RecordedEvent;
const enrolled = recorded("DeviceEnrolled", { ...hello, tags: {}, enrolledWith: "approval" });
const approved = recorded("DeviceApproved", { by: "operator:alice" });
const issued = recorded("DeviceCredentialsIssued", { publicKey: keyA });
/** The device as enrollment sees it: its stream folded into the one device aggregate. */
const deviceOf = (events: RecordedEvent[]) => foldDevice("dev-1", events);

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
    expect(decideHello(hello, deviceOf([]), none)).toEqual({
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
    expect(decideHello(hello, deviceOf([enrolled]), none)).toEqual({
      outcome: "pending",
      events: [],
    });
  });

  it("issues once after approval, then answers with creds without another event", () => {
    expect(decideHello(hello, deviceOf([enrolled, approved]), none)).toEqual({
      outcome: "issue",
      events: [{ type: "DeviceCredentialsIssued", data: { publicKey: keyA } }],
    });
    expect(decideHello(hello, deviceOf([enrolled, approved, issued]), none)).toEqual({
      outcome: "issue",
      events: [],
    });
  });

  it("refuses another key, a revoked key and a decommissioned device", () => {
    const state = deviceOf([enrolled, approved, issued]);
    expect(decideHello({ ...hello, publicKey: keyB }, state, none)).toMatchObject({
      outcome: "refused",
    });
    const revoked = recorded("DeviceCredentialsRevoked", { publicKey: keyA, reason: "x" });
    expect(decideHello(hello, deviceOf([enrolled, approved, issued, revoked]), none)).toEqual({
      outcome: "refused",
      reason: "the credentials of device dev-1 were revoked",
    });
    const gone = recorded("DeviceDecommissioned", { reason: "" });
    expect(decideHello(hello, deviceOf([enrolled, approved, gone]), none)).toMatchObject({
      outcome: "refused",
      reason: "device dev-1 is decommissioned",
    });
  });

  const valid: TokenCheck = { kind: "valid", tokenId: "t-1", tags: { ring: "canary" } };
  const used = {
    tokenId: "t-1",
    event: { type: "EnrollmentTokenUsed", data: { deviceId: "dev-1", publicKey: keyA } },
  };

  it("a valid token enrolls and approves a new device with the token's tags, and uses the token", () => {
    expect(decideHello({ ...hello, enrollmentToken: "secret" }, deviceOf([]), valid)).toEqual({
      outcome: "issue",
      events: [
        {
          type: "DeviceEnrolled",
          data: { ...hello, tags: { ring: "canary" }, enrolledWith: "token" },
        },
        { type: "DeviceCredentialsIssued", data: { publicKey: keyA } },
      ],
      tokenUse: used,
    });
  });

  it("a valid token approves a pending device of the token's fleet", () => {
    expect(decideHello(hello, deviceOf([enrolled]), valid)).toEqual({
      outcome: "issue",
      events: [
        { type: "DeviceApproved", data: { by: "enrollment-token:t-1", publicKey: keyA } },
        { type: "DeviceCredentialsIssued", data: { publicKey: keyA } },
      ],
      tokenUse: used,
    });
    expect(decideHello({ ...hello, fleet: "other" }, deviceOf([enrolled]), valid)).toEqual({
      outcome: "refused",
      reason: "device dev-1 is enrolled in fleet fleet",
    });
  });

  it("a refused token refuses a new or pending device, with no event", () => {
    const refused: TokenCheck = { kind: "refused", reason: "enrollment token t-1 was revoked" };
    expect(decideHello(hello, deviceOf([]), refused)).toEqual({
      outcome: "refused",
      reason: "enrollment token t-1 was revoked",
    });
    expect(decideHello(hello, deviceOf([enrolled]), refused)).toMatchObject({
      outcome: "refused",
    });
  });

  it("an approved device gets its credentials whatever token it sends, without using it", () => {
    const refused: TokenCheck = { kind: "refused", reason: "expired" };
    const state = deviceOf([enrolled, approved, issued]);
    expect(decideHello(hello, state, refused)).toEqual({ outcome: "issue", events: [] });
    expect(decideHello(hello, state, valid)).toEqual({ outcome: "issue", events: [] });
  });

  it("a token does not get around another key, a revocation or a decommission", () => {
    const revoked = recorded("DeviceCredentialsRevoked", { publicKey: keyA, reason: "x" });
    expect(
      decideHello(hello, deviceOf([enrolled, approved, issued, revoked]), valid),
    ).toMatchObject({ outcome: "refused" });
    expect(decideHello({ ...hello, publicKey: keyB }, deviceOf([enrolled]), valid)).toMatchObject({
      outcome: "refused",
    });
  });
});

describe("decideHello after an operator re-keyed the device", () => {
  const rekeyed = recorded("DeviceRekeyed", { previousKey: keyA, reason: "new board" });
  const device = () => deviceOf([enrolled, approved, issued, rekeyed]);
  const valid: TokenCheck = { kind: "valid", tokenId: "t1", tags: {} };

  it("refuses the old key, and records a new key as pending", () => {
    expect(decideHello(hello, device(), none)).toMatchObject({
      outcome: "refused",
      reason: "the credentials of device dev-1 were revoked",
    });
    expect(decideHello({ ...hello, publicKey: keyB }, device(), none)).toEqual({
      outcome: "pending",
      events: [{ type: "DeviceKeyPresented", data: { publicKey: keyB } }],
    });
  });

  it("the new key waits for an approval of that key, then gets credentials", () => {
    const presented = recorded("DeviceKeyPresented", { publicKey: keyB });
    const pending = deviceOf([enrolled, approved, issued, rekeyed, presented]);
    expect(decideHello({ ...hello, publicKey: keyB }, pending, none)).toEqual({
      outcome: "pending",
      events: [],
    });
    const approvedB = recorded("DeviceApproved", { by: "operator:bob", publicKey: keyB });
    const again = deviceOf([enrolled, approved, issued, rekeyed, presented, approvedB]);
    expect(decideHello({ ...hello, publicKey: keyB }, again, none)).toMatchObject({
      outcome: "issue",
      events: [{ type: "DeviceCredentialsIssued", data: { publicKey: keyB } }],
    });
  });

  it("a valid token of the device's fleet approves the new key at once", () => {
    expect(decideHello({ ...hello, publicKey: keyB }, device(), valid)).toMatchObject({
      outcome: "issue",
      events: [
        { type: "DeviceKeyPresented", data: { publicKey: keyB } },
        { type: "DeviceApproved", data: { by: "enrollment-token:t1", publicKey: keyB } },
        { type: "DeviceCredentialsIssued", data: { publicKey: keyB } },
      ],
    });
  });
});

describe("decideTargetWatch", () => {
  const device = deviceOf([enrolled, approved, issued]);
  const bounded = deviceOf([
    enrolled,
    approved,
    issued,
    recorded("DeviceTargetWatchBounded", { publicKey: keyA }),
  ]);
  const pin = { type: "DeviceTargetWatchBounded", data: { publicKey: keyA } };

  it("pins the bound the first time a key's agent announces the fixed consumer", () => {
    expect(decideTargetWatch(device, keyA, true, "auto")).toEqual({ legacy: false, events: [pin] });
    expect(decideTargetWatch(bounded, keyA, true, "auto")).toEqual({ legacy: false, events: [] });
    expect(decideTargetWatch(device, keyA, true, "on")).toEqual({ legacy: false, events: [pin] });
  });

  it("auto: an earlier agent keeps its watch until its key announced the bound", () => {
    expect(decideTargetWatch(device, keyA, false, "auto").legacy).toBe(true);
    expect(decideTargetWatch(deviceOf([]), keyA, false, "auto").legacy).toBe(true);
    expect(decideTargetWatch(bounded, keyA, false, "auto").legacy).toBe(false);
    // The bound is the key's: a re-keyed board may run an earlier agent again.
    expect(decideTargetWatch(bounded, keyB, false, "auto").legacy).toBe(true);
  });

  it("on and off override the record", () => {
    expect(decideTargetWatch(bounded, keyA, false, "on").legacy).toBe(true);
    expect(decideTargetWatch(device, keyA, false, "off").legacy).toBe(false);
  });
});
