/** Human-readable byte counts: 512 B, 1.5 KiB, 3.2 MiB. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** A fixed-width bar: `[#########-----------]`. */
export function bar(done: number, total: number, width = 24): string {
  const filled = total <= 0 ? width : Math.min(width, Math.round((done / total) * width));
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}]`;
}

/**
 * Transfer progress: on a terminal one line redrawn in place (bar, objects, bytes); otherwise one
 * plain line per finished object, so logs stay readable.
 */
export class TransferProgress {
  private bytes = 0;
  private objects = 0;
  private lastDraw = 0;

  constructor(
    private readonly write: (text: string) => void,
    private readonly tty: boolean,
    private readonly verb: string,
    private readonly totalObjects: number,
    private readonly totalBytes: number,
  ) {}

  /** Bytes moved (called as chunks flow). */
  advance(bytes: number): void {
    this.bytes += bytes;
    if (this.tty && Date.now() - this.lastDraw > 100) this.draw();
  }

  /** One object finished. */
  finished(sha: string, size: number): void {
    this.objects++;
    if (this.tty) this.draw();
    else
      this.write(
        `${this.verb} ${sha.slice(0, 12)} (${formatBytes(size)}) [${this.objects}/${this.totalObjects}]\n`,
      );
  }

  /** Ends the in-place line. */
  done(): void {
    if (this.tty && this.totalObjects > 0) {
      this.draw();
      this.write("\n");
    }
  }

  private draw(): void {
    this.lastDraw = Date.now();
    this.write(
      `\r${this.verb} ${bar(this.bytes, this.totalBytes)} ${this.objects}/${this.totalObjects} objects  ${formatBytes(this.bytes)} / ${formatBytes(this.totalBytes)}`,
    );
  }
}
