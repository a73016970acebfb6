/**
 * Devices in the field run the previous release's agent. Issue 20 added optional fields to the
 * target (`maintenanceWindows`, `consentRequired`, `installNow`); a target carrying them must
 * still pass that agent's envelope check and signature check, or every such device would refuse
 * its target as `invalid_target`.
 *
 * The previous release's check is written down here as it was (git show
 * d722d5e:libs/contract/src/target-envelope.ts): a loose object of these fields, and an Ed25519
 * signature over the canonical JSON of every field but `signature`. Canonical JSON is the signed
 * format itself, so it is the one piece taken from today's code.
 */
import { generateKeyPairSync, type KeyObject, verify } from "node:crypto";
import { canonicalJson } from "@statecast/state";
import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import {
  type AssignedTarget,
  targetEnvelopeFor,
} from "../../apps/device-gateway/src/targets/target-envelope.js";

const previousReleaseEnvelope = z.looseObject({
  deviceId: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/)),
  seq: z.int().check(z.nonnegative(), z.maximum(Number.MAX_SAFE_INTEGER)),
  expiresAt: z.iso.datetime({ offset: true }),
  revision: z.string().check(z.maxLength(200), z.regex(/^([^#\s]{1,128})#(0|[1-9][0-9]{0,14})$/)),
  stateDigest: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  state: z.record(z.string(), z.unknown()),
  rolloutId: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  waveId: z.optional(z.string().check(z.minLength(1), z.maxLength(32))),
  traceparent: z.optional(
    z.string().check(z.regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/)),
  ),
  signature: z.strictObject({
    alg: z.literal("EdDSA"),
    value: z.string().check(z.regex(/^[A-Za-z0-9_-]{86}$/)),
  }),
});

/** The previous release's verdict on a target read from KV: envelope, then signature. */
function previousReleaseAccepts(wire: unknown, orchestratorKey: KeyObject): string | true {
  const parsed = previousReleaseEnvelope.safeParse(wire);
  if (!parsed.success) return `invalid_target: ${parsed.error.message}`;
  const { signature, ...signed } = parsed.data;
  const ok = verify(
    null,
    Buffer.from(canonicalJson(signed), "utf8"),
    orchestratorKey,
    Buffer.from(signature.value, "base64url"),
  );
  return ok ? true : "signature_invalid";
}

describe("a previous-release agent reads today's targets", () => {
  const key = generateKeyPairSync("ed25519");
  const state = { "#spec": "pantavisor-service-system@1" };
  const base: AssignedTarget = {
    revision: { fleet: "lab", number: 3 },
    digest: "a".repeat(64),
    seq: 4,
    rolloutId: "r-1",
    waveIndex: 1,
  };
  const context = {
    assignedAt: "2026-12-06T10:00:00.000Z",
    traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
  };
  const onTheWire = (assigned: AssignedTarget) =>
    JSON.parse(
      JSON.stringify(targetEnvelopeFor("dev-1", assigned, state, context, key.privateKey)),
    ) as Record<string, unknown>;

  it("accepts a target with issue 20's window, consent and install-now fields", () => {
    const wire = onTheWire({
      ...base,
      maintenanceWindows: [
        { name: "nightly", cron: "0 2 * * *", durationMinutes: 120, timeZone: "Europe/Berlin" },
      ],
      consentRequired: true,
      installNow: true,
    });
    expect(Object.keys(wire)).toEqual(
      expect.arrayContaining(["maintenanceWindows", "consentRequired", "installNow"]),
    );
    expect(previousReleaseAccepts(wire, key.publicKey)).toBe(true);
  });

  it("still refuses such a target once one of the new fields is altered in transit", () => {
    const wire = onTheWire({ ...base, installNow: true, consentRequired: true });
    expect(previousReleaseAccepts({ ...wire, consentRequired: false }, key.publicKey)).toBe(
      "signature_invalid",
    );
    const { installNow: _dropped, ...stripped } = wire;
    expect(previousReleaseAccepts(stripped, key.publicKey)).toBe("signature_invalid");
  });
});
