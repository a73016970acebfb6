// `statecast board run`: the board image in QEMU (q35, OVMF, i6300esb resetting the board,
// virtio disk + net). The guest's network is QEMU user networking with restrict=on: it reaches
// nothing but the guestfwd ports 10.0.2.100:<port>, each forwarded to 127.0.0.1:<hostPort>.
import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";
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
    "-serial",
    `file:${join(o.runDir, "serial.log")}`,
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
  ];
}

export interface RunningBoard {
  process: ChildProcess;
  serialLog: string;
  qmp: Qmp;
  /** Power cut: reset the machine at once (nothing is flushed by the guest). */
  powerCut(): Promise<void>;
  stop(): Promise<void>;
}

export async function startBoard(o: BoardRunOptions): Promise<RunningBoard> {
  if (!existsSync(OVMF_CODE)) throw new BoardToolError(`${OVMF_CODE} missing (install ovmf)`);
  if (!existsSync(join(o.runDir, "OVMF_VARS.fd")))
    copyFileSync(OVMF_VARS, join(o.runDir, "OVMF_VARS.fd"));
  const child = spawn("qemu-system-x86_64", qemuArgs(o), { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (b: Buffer) => {
    stderr += b.toString("utf8");
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
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
  const q = qmp;
  return {
    process: child,
    serialLog: join(o.runDir, "serial.log"),
    qmp: q,
    powerCut: async () => {
      await q.command("system_reset");
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      await q.command("quit").catch(() => undefined);
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
      q.close();
    },
  };
}
