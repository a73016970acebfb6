import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { HOST_BUSYBOX } from "./busybox-state.js";

function onPath(command: string, path: string | undefined): boolean {
  return (path ?? "").split(delimiter).some((dir) => dir && existsSync(join(dir, command)));
}

/** A static ELF has no program interpreter (PT_INTERP names the dynamic loader). */
function isStaticElf(file: string): boolean {
  const bytes = readFileSync(file);
  if (bytes.readUInt32BE(0) !== 0x7f454c46) return false;
  return !bytes.includes("/lib64/ld-linux") && !bytes.includes("/lib/ld-linux");
}

/** Why real LXC demo agents cannot run here, or undefined when they can. */
export function lxcUnavailableReason(env: Record<string, string | undefined>): string | undefined {
  if (process.platform !== "linux") return "not Linux";
  if (process.getuid?.() !== 0) return "not running as root (LXC system containers need root)";
  for (const command of ["lxc-start", "lxc-info", "lxc-stop", "lxc-destroy"])
    if (!onPath(command, env.PATH)) return `${command} not found (apt-get install lxc)`;
  if (!existsSync(HOST_BUSYBOX)) return `${HOST_BUSYBOX} missing (apt-get install busybox-static)`;
  if (!isStaticElf(HOST_BUSYBOX))
    return `${HOST_BUSYBOX} is not the static busybox (apt-get install busybox-static)`;
  try {
    execFileSync("lxc-ls", ["--version"], { stdio: "ignore", timeout: 10_000 });
  } catch (error) {
    return `lxc-ls does not run: ${(error as Error).message}`;
  }
  return undefined;
}
