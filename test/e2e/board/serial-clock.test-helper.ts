// The board's serial log with the time each line appeared (polled every 200 ms), and from it the
// timings of every boot: reset → firmware done (OVMF's "BdsDxe: starting") → GRUB's "statecast:
// booting" → /init (with the kernel's uptime there) → "agent starting" (/init) → the agent's
// first log line ("boot"). Per-boot figures are what to compare between runs on a loaded
// machine: the scenarios' round trips add waits of the services and the rollout engine.
import { appendFileSync, closeSync, openSync, readSync } from "node:fs";

interface Line {
  t: number;
  /** QEMU's CPU seconds (user + system) when the line was seen. */
  cpu: number;
  text: string;
}

export interface BootTiming {
  /** What ended the previous boot (or "power on"). */
  cause: string;
  mode?: string;
  /** Wall seconds from the reset to each step (QEMU's CPU seconds in `cpu`). */
  firmware?: number;
  grub?: number;
  init?: number;
  kernelUptime?: number;
  agentStarting?: number;
  agentLog?: number;
  cpu: Partial<Record<BootStep, number>>;
}

export type BootStep = "firmware" | "grub" | "init" | "agentStarting" | "agentLog";

const RESETS: Array<[RegExp, string]> = [
  [/reboot: Restarting system/, "reboot"],
  [/Kernel panic/, "panic"],
  [/hangs here on purpose/, "hang (watchdog)"],
];

export class SerialClock {
  readonly lines: Line[] = [];
  private offset = 0;
  private partial = "";
  private readonly timer: NodeJS.Timeout;
  /** Resets the test made (power cuts), by time. */
  private readonly cuts: Array<{ t: number; cpu: number }> = [];

  /** QEMU's CPU seconds so far (every boot's process). */
  cpuSeconds: () => number = () => 0;

  constructor(
    private readonly file: string,
    private readonly out: string,
    private readonly t0 = Date.now(),
  ) {
    this.timer = setInterval(() => this.poll(), 200);
  }

  private now(): number {
    return (Date.now() - this.t0) / 1000;
  }

  poll(): void {
    let fd: number;
    try {
      fd = openSync(this.file, "r");
    } catch {
      return;
    }
    try {
      const buf = Buffer.alloc(1 << 16);
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, this.offset);
        if (n <= 0) break;
        this.offset += n;
        this.partial += buf.subarray(0, n).toString("utf8");
      }
    } finally {
      closeSync(fd);
    }
    const parts = this.partial.split("\n");
    this.partial = parts.pop() ?? "";
    const t = this.now();
    const cpu = this.cpuSeconds();
    for (const raw of parts) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escapes in the serial log
      const text = raw.replace(/\x1b\[[0-9;=]*[A-Za-z]/g, "").replace(/\r/g, "");
      this.lines.push({ t, cpu, text });
      appendFileSync(
        this.out,
        `${t.toFixed(1).padStart(7)} ${cpu.toFixed(1).padStart(7)} ${text}\n`,
      );
    }
  }

  /** The test cut the power now. */
  powerCut(): void {
    this.poll();
    this.cuts.push({ t: this.now(), cpu: this.cpuSeconds() });
  }

  stop(): void {
    clearInterval(this.timer);
    this.poll();
  }

  /** One row per boot, split at the firmware's boot-manager line. */
  boots(): BootTiming[] {
    const boots: BootTiming[] = [];
    let reset = { t: 0, cpu: 0 };
    let cause = "power on";
    let cur: BootTiming | undefined;
    let start = reset;
    const round = (n: number) => Math.round(n * 10) / 10;
    const mark = (key: BootStep, l: Line) => {
      if (!cur || cur[key] !== undefined) return;
      cur[key] = round(l.t - start.t);
      cur.cpu[key] = round(l.cpu - start.cpu);
    };
    const cutsLeft = [...this.cuts];
    for (const l of this.lines) {
      while (cutsLeft.length > 0 && (cutsLeft[0] as { t: number }).t <= l.t) {
        reset = cutsLeft.shift() as { t: number; cpu: number };
        cause = "power cut";
      }
      const { text } = l;
      if (text.includes("BdsDxe: starting")) {
        start = reset;
        cur = { cause, cpu: {} };
        boots.push(cur);
        mark("firmware", l);
        cause = "watchdog or unknown";
        continue;
      }
      for (const [re, what] of RESETS)
        if (re.test(text)) {
          reset = l;
          cause = what;
        }
      if (!cur) continue;
      const grub = text.match(/statecast: booting (\w+)/);
      if (grub && cur.grub === undefined) {
        mark("grub", l);
        cur.mode = grub[1];
      }
      const init = text.match(/statecast-init: kernel \S+ up ([\d.]+)s/);
      if (init && cur.init === undefined) {
        mark("init", l);
        cur.kernelUptime = Number(init[1]);
      }
      if (text.includes("statecast-init: agent starting")) mark("agentStarting", l);
      if (text.includes('"msg":"boot"')) mark("agentLog", l);
    }
    return boots;
  }
}
