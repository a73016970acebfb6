// `statecast board run`: the board image in QEMU (q35, OVMF, i6300esb resetting the board,
// virtio disk + net). The guest's network is QEMU user networking with restrict=on: it reaches
// nothing but the guestfwd ports 10.0.2.100:<port>, each forwarded to 127.0.0.1:<hostPort>.
// Every reset (the guest's reboot, a panic's, the watchdog's, a QMP power cut) ends the QEMU
// process and the runner starts a new one on the same disk and OVMF vars: a power cycle. Under
// TCG a boot after an in-process reset ran node's start about 4 times slower than a fresh
// process (README, "Where the time goes").
import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GUEST_NET } from "./guest-init.js";
import { Qmp } from "./qmp.js";
import { BoardToolError } from "./run-tool.js";

export const OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd";
export const OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd";

export interface Forward {
  guestPort: number;
  hostPort: number;
}

export interface BoardRunOptions {
  image: string;
  /** Directory for the VARS copy, the QMP socket and the serial log. */
  runDir: string;
  forwards: Forward[];
  accel?: "tcg" | "kvm";
  memoryMiB?: number;
}

export function qemuArgs(o: BoardRunOptions): string[] {
  for (const f of o.forwards)
    if (!Number.isInteger(f.guestPort) || !Number.isInteger(f.hostPort))
      throw new BoardToolError(`bad forward ${JSON.stringify(f)}`);
  const fwd = o.forwards.map(
    (f) =>
      `,guestfwd=tcp:${GUEST_NET.forwards}:${f.guestPort}-cmd:socat - TCP:127.0.0.1:${f.hostPort}`,
  );
  return [
    "-machine",
    "q35",
    "-accel",
    o.accel === "kvm" ? "kvm" : "tcg",
    "-cpu",
    o.accel === "kvm" ? "host" : "max",
    "-m",
    String(o.memoryMiB ?? 1024),
    "-smp",
    "1",
    "-display",
    "none",
    "-monitor",
    "none",
    // Appended: the runner starts a new QEMU per boot and the log spans them all.
    "-chardev",
    `file,id=serial0,path=${join(o.runDir, "serial.log")},append=on`,
    "-serial",
    "chardev:serial0",
    "-qmp",
    `unix:${join(o.runDir, "qmp.sock")},server=on,wait=off`,
    "-drive",
    `if=pflash,format=raw,unit=0,readonly=on,file=${OVMF_CODE}`,
    "-drive",
    `if=pflash,format=raw,unit=1,file=${join(o.runDir, "OVMF_VARS.fd")}`,
    "-drive",
    `if=none,id=disk,format=raw,file=${o.image}`,
    "-device",
    "virtio-blk-pci,drive=disk",
    "-netdev",
    `user,id=net,restrict=on${fwd.join("")}`,
    "-device",
    "virtio-net-pci,netdev=net",
    "-device",
    "i6300esb",
    "-action",
    "watchdog=reset",
    // A reset of any cause stops QEMU (SHUTDOWN event, reason guest-reset or
    // host-qmp-system-reset); startBoard powers the board on again in a new process.
    "-action",
    "reboot=shutdown",
  ];
}

export interface RunningBoard {
  /** The QEMU process of the current boot (a new one after each reset). */
  readonly process: ChildProcess;
  serialLog: string;
  /** QMP of the current boot's QEMU. */
  readonly qmp: Qmp;
  /** Resolves when the board is off for good (stopped, powered off or QEMU failed), not at a reset. */
  exited: Promise<void>;
  /** QEMU CPU seconds (user + system) of every boot so far. */
  cpuSeconds(): number;
  /** Power cut: reset the machine at once (nothing is flushed by the guest). */
  powerCut(): Promise<void>;
  stop(): Promise<void>;
}

/** SHUTDOWN reasons that are a reset (with `-action reboot=shutdown`): the board comes back. */
const RESET_REASONS = new Set(["guest-reset", "host-qmp-system-reset"]);

/** Seconds of CPU `pid` has used (user + system); undefined when it is gone. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of stat(5); fields[0] here is field 3.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

interface Boot {
  child: ChildProcess;
  qmp: Qmp;
  /** The SHUTDOWN event's reason, once QEMU said it is going down. */
  reason?: string;
  /** The last CPU seconds read while it ran. */
  cpu: number;
}

/** One QEMU process: spawned, its QMP connected, its SHUTDOWN reason and CPU noted. */
async function launch(o: BoardRunOptions): Promise<Boot> {
  const child = spawn("qemu-system-x86_64", qemuArgs(o), { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (b: Buffer) => {
    stderr += b.toString("utf8");
  });
  const sock = join(o.runDir, "qmp.sock");
  let qmp: Qmp | undefined;
  for (let i = 0; i < 100 && !qmp; i++) {
    if (child.exitCode !== null) break;
    qmp = await Qmp.open(sock).catch(() => undefined);
    if (!qmp) await new Promise((r) => setTimeout(r, 100));
  }
  if (!qmp) {
    child.kill("SIGKILL");
    throw new BoardToolError(`qemu did not start: ${stderr.trim()}`);
  }
  const boot: Boot = { child, qmp, cpu: 0 };
  qmp.onEvent((event, data) => {
    if (event !== "SHUTDOWN") return;
    boot.reason = String(data?.reason ?? "");
    boot.cpu = processCpuSeconds(child.pid) ?? boot.cpu;
  });
  return boot;
}

export async function startBoard(o: BoardRunOptions): Promise<RunningBoard> {
  if (!existsSync(OVMF_CODE)) throw new BoardToolError(`${OVMF_CODE} missing (install ovmf)`);
  if (!existsSync(join(o.runDir, "OVMF_VARS.fd")))
    copyFileSync(OVMF_VARS, join(o.runDir, "OVMF_VARS.fd"));
  const serialLog = join(o.runDir, "serial.log");
  writeFileSync(serialLog, "");
  let boot = await launch(o);
  let stopping = false;
  let pastCpu = 0;
  const exited = (async () => {
    for (;;) {
      const b = boot;
      if (b.child.exitCode === null && b.child.signalCode === null)
        await new Promise((resolve) => b.child.once("exit", resolve));
      b.qmp.close();
      pastCpu += b.cpu;
      if (stopping || b.child.exitCode !== 0 || !RESET_REASONS.has(b.reason ?? "")) return;
      boot = await launch(o);
      if (stopping) await boot.qmp.command("quit").catch(() => undefined);
    }
  })();
  return {
    get process() {
      return boot.child;
    },
    serialLog,
    get qmp() {
      return boot.qmp;
    },
    exited: exited.catch(() => undefined),
    cpuSeconds: () => {
      const now = processCpuSeconds(boot.child.pid);
      if (now !== undefined) boot.cpu = Math.max(boot.cpu, now);
      return pastCpu + (boot.child.exitCode === null ? boot.cpu : 0);
    },
    powerCut: async () => {
      // QEMU replies, then exits (a reset is a shutdown here) and the loop powers on again.
      const b = boot;
      await b.qmp.command("system_reset").catch((error: unknown) => {
        if (b.reason === undefined && b.child.exitCode === null) throw error;
      });
    },
    stop: async () => {
      stopping = true;
      const b = boot;
      if (b.child.exitCode === null) {
        await b.qmp.command("quit").catch(() => undefined);
        const timer = setTimeout(() => b.child.kill("SIGKILL"), 5000);
        await exited.catch(() => undefined);
        clearTimeout(timer);
      }
      await exited.catch(() => undefined);
    },
  };
}
