import { open } from "node:fs/promises";

/** Read at most this much per poll: a burst of output is sent over several polls. */
const MAX_READ_BYTES = 64 * 1024;

/**
 * What is appended to a log file after a point: `read()` returns the bytes written since the
 * last read (cut at the last complete line). A file that shrank (rotated, trimmed or rewound by
 * LXC) is read again from its start.
 */
export class LogFollower {
  private constructor(
    readonly path: string,
    private offset: number,
  ) {}

  /** Follows `path` from its current end (a missing file: from its start once it exists). */
  static async fromEnd(path: string): Promise<LogFollower> {
    return new LogFollower(path, await sizeOf(path));
  }

  async read(): Promise<string> {
    const handle = await open(this.path, "r").catch(() => undefined);
    if (!handle) return "";
    try {
      const { size } = await handle.stat();
      if (size < this.offset) this.offset = 0;
      const length = Math.min(size - this.offset, MAX_READ_BYTES);
      if (length <= 0) return "";
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buffer, 0, length, this.offset);
      const chunk = buffer.subarray(0, bytesRead);
      // Whole lines only, unless one line alone is longer than a read.
      const end = chunk.lastIndexOf(10) + 1 || (bytesRead === MAX_READ_BYTES ? bytesRead : 0);
      this.offset += end;
      return chunk.subarray(0, end).toString("utf8");
    } finally {
      await handle.close();
    }
  }
}

async function sizeOf(path: string): Promise<number> {
  const handle = await open(path, "r").catch(() => undefined);
  if (!handle) return 0;
  try {
    return (await handle.stat()).size;
  } finally {
    await handle.close();
  }
}
