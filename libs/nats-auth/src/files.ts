import { chmodSync, closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/** Atomic write with owner-only permissions (seeds, credentials). */
export function writePrivateFile(path: string, text: string): void {
  atomicWrite(path, text, 0o600);
}

/** Atomic write for public material (JWTs, public keys). */
export function writePublicFile(path: string, text: string): void {
  atomicWrite(path, text, 0o644);
}

/**
 * Write-temp + fsync + rename + fsync of the directory: after a crash or power loss the file is
 * the old or the new content, never empty or torn (the DEVICES JWT holds every revocation).
 */
function atomicWrite(path: string, text: string, mode: number): void {
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, "w", mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(temp, mode); // the umask may have narrowed or the file may have existed
  renameSync(temp, path);
  const dir = openSync(dirname(path), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}
