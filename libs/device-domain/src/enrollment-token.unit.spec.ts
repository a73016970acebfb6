import { randomUUID } from "node:crypto";
import type { RecordedEvent } from "@statecast/events";
import { generateEnrollmentSecret, hashEnrollmentSecret } from "@statecast/nats-auth";
import { enrollmentTokenRefusal, foldEnrollmentToken } from "./enrollment-token.js";

const tokenId = randomUUID();
const secret = generateEnrollmentSecret(tokenId);
const at = (now: string) => ({
  correlationId: "c",
  causationId: "c",
  actor: "operator:alice" as const,
  now,
});
const event = (type: string, data: unknown, now = "2026-11-20T00:00:00Z") =>
  ({ type, data, metadata: at(now) }) as unknown as RecordedEvent;
const created = (extra: Record<string, unknown> = {}) =>
  event("EnrollmentTokenCreated", {
    tokenId,
    fleet: "lab",
    secretHash: hashEnrollmentSecret(secret),
    tags: { ring: "canary" },
    ...extra,
  });
const used = event("EnrollmentTokenUsed", { deviceId: "d", publicKey: "U" });
const now = "2026-11-21T00:00:00Z";

describe("enrollmentTokenRefusal", () => {
  it("accepts the secret for its fleet, and folds creation, uses and revocation", () => {
    const token = foldEnrollmentToken([created(), used]);
    expect(token).toMatchObject({ tokenId, fleet: "lab", uses: 1, tags: { ring: "canary" } });
    expect(token?.createdBy).toBe("operator:alice");
    expect(enrollmentTokenRefusal(token, secret, "lab", now)).toBeUndefined();
  });

  it("refuses a wrong secret, another fleet, a revoked, expired or used-up token", () => {
    const refusal = (events: RecordedEvent[], s = secret, fleet = "lab") =>
      enrollmentTokenRefusal(foldEnrollmentToken(events), s, fleet, now);
    expect(refusal([])).toBe("enrollment token not recognised");
    expect(refusal([created()], generateEnrollmentSecret(tokenId))).toBe(
      "enrollment token not recognised",
    );
    expect(refusal([created()], secret, "prod")).toBe(
      `enrollment token ${tokenId} is for another fleet, not prod`,
    );
    expect(refusal([created(), event("EnrollmentTokenRevoked", { reason: "" })])).toBe(
      `enrollment token ${tokenId} was revoked`,
    );
    expect(refusal([created({ expiresAt: "2026-11-20T12:00:00Z" })])).toBe(
      `enrollment token ${tokenId} expired at 2026-11-20T12:00:00Z`,
    );
    expect(refusal([created({ maxUses: 1 }), used])).toBe(
      `enrollment token ${tokenId} is used up (1 of 1 uses)`,
    );
    expect(refusal([created({ maxUses: 2 }), used])).toBeUndefined();
  });

  it("never puts the secret in a reason", () => {
    const token = foldEnrollmentToken([created()]);
    for (const fleet of ["lab", "prod"]) {
      expect(enrollmentTokenRefusal(token, `${secret}0`, fleet, now) ?? "").not.toContain(secret);
    }
  });
});
