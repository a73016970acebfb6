import { chmodSync, renameSync, writeFileSync } from "node:fs";

/** Atomic write with owner-only permissions (seeds, credentials). */
export function writePrivateFile(path: string, text: string): void {
  atomicWrite(path, text, 0o600);
}

/** Atomic write for public material (JWTs, public keys). */
export function writePublicFile(path: string, text: string): void {
  atomicWrite(path, text, 0o644);
}

function atomicWrite(path: string, text: string, mode: number): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode, flag: "w" });
  chmodSync(temp, mode); // the umask may have narrowed or the file may have existed
  renameSync(temp, path);
}
