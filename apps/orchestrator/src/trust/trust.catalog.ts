import { defineEvent } from "@statecast/events";
import { z } from "zod";

/** Stream of one fleet's trust policy: `trust:<fleet>`. */
export function trustStreamId(fleet: string): string {
  return `trust:${fleet}`;
}

export const trustedSigner = z.strictObject({
  name: z.string().min(1).max(128),
  /** PEM public key(s) or CA certificate(s); public material only. */
  pem: z.string().min(1).max(65_536),
  /** State-key globs this signer may sign (PVS glob syntax). */
  keys: z.array(z.string().min(1).max(512)).min(1).max(256),
});

export const TrustPolicySet = defineEvent(
  "TrustPolicySet",
  1,
  z.strictObject({
    fleet: z.string().min(1).max(128),
    mode: z.enum(["strict", "lenient"]),
    trusted: z.array(trustedSigner).max(256),
  }),
);

export const trustCatalog = [TrustPolicySet] as const;
