import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { open, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/** Flushes a directory entry so a rename inside it survives power loss. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * A new file whose every write is on disk when it returns (`O_DSYNC`: its data and the metadata
 * needed to read it back, as `fdatasync`), so a small record costs one call, not a write and a
 * sync handed to the thread pool one after the other.
 */
const SYNCED_NEW_FILE =
  constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_DSYNC;

/**
 * Write-temp (synced) + rename + fsync(dir): a reader (or a restart after kill -9 or a power
 * cut) sees either the old content or the new one, never a torn file.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await open(temp, SYNCED_NEW_FILE, 0o600);
  try {
    await handle.writeFile(data);
  } catch (error) {
    // Disk full mid-write: leave no temp file behind to take the space a retry needs.
    await unlink(temp).catch(() => undefined);
    throw error;
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await fsyncDir(dirname(path));
}

/**
 * Write-temp + rename, no fsync: a reader or a restart after kill -9 sees the old content or the
 * new one (the page cache outlives the process); after a power loss it may see either, or
 * neither. Only for hints whose loss costs work, never correctness (a download's resume point).
 */
export async function replaceFile(path: string, data: string | Uint8Array): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await writeFile(temp, data, { mode: 0o600 });
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Reads a JSON file; returns `fallback` when the file does not exist. */
export async function readJsonFile<T>(path: string, fallback: T): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return fallback;
    throw error;
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`corrupt JSON record ${path}: ${(error as Error).message}`, { cause: error });
  }
}
