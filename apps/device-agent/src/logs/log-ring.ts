import { appendFileSync, closeSync, openSync, renameSync, statSync, writeSync } from "node:fs";
import { open, readFile, stat, truncate, writeFile } from "node:fs/promises";

/** Per log: at most this many bytes in the live file, plus one rotated file (`.1`). */
export const LOG_RING_BYTES = 256 * 1024;

/**
 * A bounded ring of log lines on disk: `<path>` and `<path>.1`; when the live file passes
 * `capBytes` it becomes `.1` (the older `.1` is dropped). At most 2 × capBytes per log.
 * The live file stays open (O_APPEND) until {@link close}: a line is one write, not an open,
 * a write and a close on the agent's only thread.
 */
export class LogRing {
  private size: number;
  private fd: number | undefined;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly capBytes = LOG_RING_BYTES,
  ) {
    this.size = sizeOf(path);
  }

  append(line: string): void {
    try {
      if (this.size + line.length > this.capBytes && this.size > 0) {
        this.release();
        renameSync(this.path, `${this.path}.1`);
        this.size = 0;
      }
      if (this.closed) appendFileSync(this.path, line, { mode: 0o600 });
      else {
        this.fd ??= openSync(this.path, "a", 0o600);
        writeSync(this.fd, line);
      }
      this.size += Buffer.byteLength(line);
    } catch {
      // logs are best effort: a full or read-only disk must not stop the agent
      this.release();
    }
  }

  /** Closes the live file; a line logged later still lands (opened for that line alone). */
  close(): void {
    this.closed = true;
    this.release();
  }

  private release(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // already gone
    }
    this.fd = undefined;
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * Keeps a file someone else appends to (an LXC console log) within `capBytes`: past it, only
 * its last half stays. The writer appends (O_APPEND), so it goes on at the new end.
 */
export async function trimFile(path: string, capBytes = LOG_RING_BYTES): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info || info.size <= capBytes) return;
  const tail = await readTail(path, Math.floor(capBytes / 2));
  await writeFile(`${path}.1`, tail);
  await truncate(path, 0);
}

/** The last `maxBytes` of a file (empty when there is none), cut at a line start. */
export async function readTail(path: string, maxBytes: number): Promise<Buffer> {
  const handle = await open(path, "r").catch(() => undefined);
  if (!handle) return Buffer.alloc(0);
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    if (length === size) return buffer;
    const newline = buffer.indexOf(10);
    return newline >= 0 ? buffer.subarray(newline + 1) : buffer;
  } finally {
    await handle.close();
  }
}

/** A rotated log and its live file, oldest first, as one text (the last `maxBytes`). */
export async function readRing(path: string, maxBytes: number): Promise<string> {
  const older = await readFile(`${path}.1`).catch(() => Buffer.alloc(0));
  const live = await readTail(path, maxBytes);
  const both = Buffer.concat([older, live]);
  const tail = both.subarray(Math.max(0, both.length - maxBytes));
  return tail.toString("utf8");
}
