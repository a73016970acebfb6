import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import type { Authenticator, ConnectionOptions } from "@nats-io/transport-node";
import { enrollmentInboxPrefix, ValidationError } from "@statecast/contract";
import { deviceInboxPrefix } from "./names.js";
import { nativeKeyPair } from "./native-nkeys.js";

/**
 * `connect()` options for a user holding `.creds` text (services, system user). The nonce is
 * signed with node:crypto (see native-nkeys.ts); the creds are parsed once, here. Pass a
 * function for creds that change (a device renewing its JWT): it is read at every (re)connect.
 */
export function credsConnectionOptions(
  creds: string | (() => string),
): Pick<ConnectionOptions, "authenticator"> {
  if (typeof creds === "string") return { authenticator: credsAuthenticator(creds) };
  let last: { text: string; authenticator: Authenticator } | undefined;
  return {
    authenticator: (nonce?: string) => {
      const text = creds();
      if (last?.text !== text) last = { text, authenticator: credsAuthenticator(text) };
      return last.authenticator(nonce);
    },
  };
}

/**
 * The `connect()` options a device must use: its creds, and the inbox prefix its permissions
 * allow (the default `_INBOX.` prefix is refused). Add `servers`, `name`, reconnect settings.
 */
export function deviceConnectionOptions(
  creds: string | (() => string),
  deviceId: string,
): Pick<ConnectionOptions, "authenticator" | "inboxPrefix"> {
  return { ...credsConnectionOptions(creds), inboxPrefix: deviceInboxPrefix(deviceId) };
}

/**
 * `connect()` options for a device that has no credentials yet, holding the enrollment user's
 * creds (`issueEnrollmentUser`): the only inbox it may receive on is named after that user's key.
 */
export function enrollmentConnectionOptions(
  creds: string,
): Pick<ConnectionOptions, "authenticator" | "inboxPrefix"> {
  const { seed } = credsParts(creds);
  return {
    ...credsConnectionOptions(creds),
    inboxPrefix: enrollmentInboxPrefix(nativeKeyPair(seed).getPublicKey()),
  };
}

const CREDS_BLOCK = /-{3,}[^\n]*-{3,}\r?\n\s*(\S+)\s*\r?\n\s*-{3,}[^\n]*-{3,}/g;

function credsParts(creds: string): { jwt: string; seed: string } {
  const [jwt, seed] = [...creds.matchAll(CREDS_BLOCK)].map((m) => m[1]!);
  if (!jwt || !seed) {
    throw new ValidationError("creds text lacks a user JWT block and a seed block");
  }
  return { jwt, seed };
}

function credsAuthenticator(creds: string): Authenticator {
  const { jwt, seed } = credsParts(creds);
  const key = nativeKeyPair(seed);
  const nkey = key.getPublicKey();
  return (nonce?: string) => ({
    jwt,
    nkey,
    sig: Buffer.from(key.sign(new TextEncoder().encode(nonce ?? ""))).toString("base64"),
  });
}

/**
 * `connect()` options that require TLS and trust only the CA in `caFile` (PEM): the pinned CA of
 * a Statecast deployment, not the system's CAs. Undefined = plaintext (`nats://` test harnesses).
 */
export function tlsConnectionOptions(caFile: string | undefined): Pick<ConnectionOptions, "tls"> {
  return caFile === undefined ? {} : { tls: { ca: readCaFile(caFile) } };
}

/** The CA PEM a client pins, checked; a clear error names the file, never its content. */
export function readCaFile(path: string): string {
  if (!existsSync(path)) throw new ValidationError(`CA file ${path} does not exist`);
  const pem = readFileSync(path, "utf8");
  let isCa = false;
  try {
    isCa = new X509Certificate(pem).ca;
  } catch (cause) {
    throw new ValidationError(`${path} does not hold a PEM certificate`, { cause });
  }
  if (!isCa) throw new ValidationError(`${path} holds a certificate that is not a CA`);
  return pem;
}
