import { createHash } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import {
  decodeProtectedHeader,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  type SignatureStatus,
  signPart,
  type TrustedSigner,
  verifyState,
} from "@statecast/state";
import { prettyJson } from "./json-text.js";
import type { Workdir } from "./layout.js";
import { readIndex, writeAtomic, writeIndex } from "./meta.js";
import { workdirStatus } from "./status.js";
import { WorkdirError } from "./workdir-error.js";

export interface SignRequest {
  part: string;
  /** PEM (PKCS#8) Ed25519 private key. */
  privateKeyPem: string;
  include?: string[];
  exclude?: string[];
}

/**
 * Signs a part of the working state (what `commit` would record) and writes the signature
 * to `_sigs/<part>.json` in the working tree, added for the next commit.
 */
export async function signWorkdirPart(wd: Workdir, request: SignRequest) {
  const status = await workdirStatus(wd);
  const path = `_sigs/${request.part}.json`;
  // Re-signing a part keeps the globs of its signature unless new ones are given.
  const globs: { include?: string[]; exclude?: string[] } =
    request.include || request.exclude ? request : (existingGlobs(status.working[path]) ?? {});
  const signed = signPart(status.working, {
    part: request.part,
    privateKey: request.privateKeyPem,
    ...(globs.include ? { include: globs.include } : {}),
    ...(globs.exclude ? { exclude: globs.exclude } : {}),
  });
  const signature = signed[path] as JsonValue;
  await mkdir(dirname(join(wd.root, path)), { recursive: true });
  await writeAtomic(join(wd.root, path), `${prettyJson(signature)}\n`);
  await writeIndex(wd, [...(await readIndex(wd)), path]);
  const listed = (await listSignatures(wd, [])).find((s) => s.path === path);
  if (!listed) throw new WorkdirError("sign_failed", `${path} was written but cannot be read back`);
  return listed;
}

function existingGlobs(
  entry: JsonValue | undefined,
): { include: string[]; exclude: string[] } | undefined {
  if (!isJsonObject(entry) || typeof entry.protected !== "string") return undefined;
  try {
    const { include, exclude } = decodeProtectedHeader(entry.protected);
    return { include, exclude };
  } catch {
    return undefined; // an undecodable signature is replaced with pvr's defaults
  }
}

/** One signature of the working state, for `sig ls`. */
export interface SignatureListing {
  path: string;
  alg: string | null;
  /** RFC 7638 JWK thumbprint (sha256, base64url) of the signing key. */
  keyId: string | null;
  include: string[];
  exclude: string[];
  status: SignatureStatus;
  reason?: string;
  covers: string[];
}

/** Every `_sigs/` entry of the working state, checked against `trusted` (lenient mode). */
export async function listSignatures(
  wd: Workdir,
  trusted: TrustedSigner[],
): Promise<SignatureListing[]> {
  const { working } = await workdirStatus(wd);
  const report = verifyState(working, { mode: "lenient", trusted });
  return report.signatures.map((sig) => {
    const header = headerOf(working[sig.key]);
    return {
      path: sig.key,
      alg: sig.alg ?? header?.alg ?? null,
      keyId: header ? jwkThumbprint(header.jwk) : null,
      include: header?.include ?? [],
      exclude: header?.exclude ?? [],
      status: sig.status,
      ...(sig.reason ? { reason: sig.reason } : {}),
      covers: sig.covers,
    };
  });
}

function headerOf(value: JsonValue | undefined) {
  if (!isJsonObject(value) || typeof value.protected !== "string") return null;
  try {
    return decodeProtectedHeader(value.protected);
  } catch {
    return null;
  }
}

const THUMBPRINT_MEMBERS: Record<string, string[]> = {
  RSA: ["e", "kty", "n"],
  EC: ["crv", "kty", "x", "y"],
  OKP: ["crv", "kty", "x"],
};

/** RFC 7638: sha256 over the required members in lexical order, base64url. */
export function jwkThumbprint(jwk: JsonObject): string | null {
  const members = typeof jwk.kty === "string" ? THUMBPRINT_MEMBERS[jwk.kty] : undefined;
  if (!members || members.some((m) => typeof jwk[m] !== "string")) return null;
  const text = `{${members.map((m) => `${JSON.stringify(m)}:${JSON.stringify(jwk[m])}`).join(",")}}`;
  return createHash("sha256").update(text).digest("base64url");
}
