import { createPrivateKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The default key directory inside a gateway's data directory. */
export const targetKeyDir = (dataDir: string) => join(dataDir, "keys");

/** Where the gateway's target signing key lives inside its data directory. */
export function targetKeyPaths(dataDir: string) {
  return targetKeyFiles(targetKeyDir(dataDir));
}

/** The key files in a key directory (a data directory's `keys/`, or a mounted Secret). */
export function targetKeyFiles(dir: string) {
  return {
    dir,
    privateKey: join(dir, "target-signing.pem"),
    publicKey: join(dir, "target-signing.pub.pem"),
  };
}

/**
 * Loads the Ed25519 target signing key, creating it (0600, public half next to it for agents to
 * trust) on first use. The private key never leaves this process and is never logged.
 */
export function ensureTargetKey(dataDir: string): KeyObject {
  return ensureTargetKeyIn(targetKeyDir(dataDir));
}

/** `ensureTargetKey` on a key directory: a read-only one (a Secret) must hold the key already. */
export function ensureTargetKeyIn(dir: string): KeyObject {
  const paths = targetKeyFiles(dir);
  let pem: string;
  try {
    pem = readFileSync(paths.privateKey, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
    pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    writeFileSync(paths.privateKey, pem, { mode: 0o600, flag: "wx" });
    writeFileSync(paths.publicKey, publicKey.export({ type: "spki", format: "pem" }).toString());
  }
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== "ed25519") {
    throw new Error(
      `target signing key ${paths.privateKey} is ${key.asymmetricKeyType}, not Ed25519`,
    );
  }
  return key;
}
