#!/usr/bin/env node
// The QEMU board spec as the last step of `npm test`: it runs when this machine can run QEMU
// (the board's tools installed and a TCG machine starts), else one line says why and the step
// passes. STATECAST_SKIP_BOARD=1 skips it on purpose (said in that line too);
// STATECAST_REQUIRE_BOARD=1 makes "cannot run" a failure instead.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { SYSTEM_PACKAGES } from "./system-packages.mjs";

const BOARD_PACKAGES = [
  "qemu-system-x86",
  "ovmf",
  "grub-efi-amd64-bin",
  "grub-common",
  "mtools",
  "dosfstools",
  "e2fsprogs",
  "cpio",
  "socat",
  "busybox-static",
  "lxc",
];

/** Why the board cannot run here, or undefined when it can. */
function cannotRun() {
  if (process.env.STATECAST_SKIP_BOARD === "1") return "STATECAST_SKIP_BOARD=1";
  const missing = BOARD_PACKAGES.filter((p) => !existsSync(SYSTEM_PACKAGES[p]));
  if (missing.length > 0) return `missing ${missing.join(", ")} (node scripts/setup.mjs)`;
  // A q35 machine under TCG, halted before its first instruction: it either keeps running
  // (killed by the timeout: QEMU works) or exits at once with the reason.
  const probe = spawnSync(
    "qemu-system-x86_64",
    ["-machine", "q35", "-accel", "tcg", "-display", "none", "-nodefaults", "-S"],
    { timeout: 3_000, encoding: "utf8" },
  );
  if (probe.error?.code === "ETIMEDOUT") return undefined;
  if (probe.error) return `qemu-system-x86_64: ${probe.error.message}`;
  return `qemu-system-x86_64 exited (${probe.status}): ${probe.stderr.trim().slice(0, 200)}`;
}

const why = cannotRun();
if (why) {
  const require = process.env.STATECAST_REQUIRE_BOARD === "1";
  process.stdout.write(`board: the QEMU board tests did NOT run: ${why}\n`);
  process.exit(require ? 1 : 0);
}
const run = spawnSync("npx", ["vitest", "run", "--project", "board"], { stdio: "inherit" });
process.exit(run.status ?? 1);
