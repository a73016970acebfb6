import { readFile } from "node:fs/promises";
import { createUser, fromSeed, type KeyPair } from "@nats-io/nkeys";
import { writeFileAtomic } from "../fs/atomic.js";

/**
 * The device's own NATS user nkey: created once, kept in the store (0600, written atomically).
 * Its seed never leaves the device; the gateway only ever sees the public key.
 */
export async function loadOrCreateIdentity(path: string): Promise<KeyPair> {
  const existing = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (existing !== undefined) {
    const key = fromSeed(new TextEncoder().encode(existing.trim()));
    if (!key.getPublicKey().startsWith("U")) throw new Error(`${path} is not a user nkey seed`);
    return key;
  }
  const key = createUser();
  await writeFileAtomic(path, `${new TextDecoder().decode(key.getSeed())}\n`);
  return key;
}

/** The claims of the user JWT in a `.creds` text; no signature check needed here. */
function credsClaims(creds: string): { sub?: unknown; iat?: unknown; exp?: unknown } {
  const jwt = /-{3,}BEGIN NATS USER JWT-{3,}\s+(\S+)/.exec(creds)?.[1];
  const payload = jwt?.split(".")[1];
  if (!payload) throw new Error("creds text has no user JWT");
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
}

/** The user public key (`sub`) of the JWT in a `.creds` text. */
export function credsUserKey(creds: string): string {
  const { sub } = credsClaims(creds);
  if (typeof sub !== "string" || !sub.startsWith("U")) throw new Error("creds JWT names no user");
  return sub;
}

/** When the creds' JWT was issued and expires (unix ms); `expiresAt` undefined: it never does. */
export function credsLifetime(creds: string): { issuedAt: number; expiresAt?: number } {
  const { iat, exp } = credsClaims(creds);
  const issuedAt = typeof iat === "number" ? iat * 1000 : Date.now();
  return typeof exp === "number" ? { issuedAt, expiresAt: exp * 1000 } : { issuedAt };
}

/** The device's key pair from the seed in its `.creds` text. */
export function credsKeyPair(creds: string): KeyPair {
  const seed = /-{3,}BEGIN USER NKEY SEED-{3,}\s+(\S+)/.exec(creds)?.[1];
  if (!seed) throw new Error("creds text has no user seed");
  return fromSeed(new TextEncoder().encode(seed));
}

/**
 * The `.creds` text NATS clients read: the user JWT, then the seed (the layout of
 * `@nats-io/jwt`'s fmtCreds, written here so the board's bundle does not carry that library).
 */
export function credsText(jwt: string, key: KeyPair): string {
  const seed = new TextDecoder().decode(key.getSeed());
  return [
    "-----BEGIN NATS USER JWT-----",
    jwt,
    "------END NATS USER JWT------",
    "",
    "************************* IMPORTANT *************************",
    "NKEY Seed printed below can be used to sign and prove identity.",
    "NKEYs are sensitive and should be treated as secrets.",
    "",
    "-----BEGIN USER NKEY SEED-----",
    seed,
    "------END USER NKEY SEED------",
    "",
    "*************************************************************",
    "",
  ].join("\n");
}
