// KVM only where it truly works: /dev/kvm can exist and still hang or abort QEMU (it does on the
// machine this was written on). The probe boots the board's kernel with no root under KVM until
// it panics (panic=-1 reboots at once, -no-reboot turns that into a clean exit) within 8 s.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { debianKernel } from "./kernel.js";

export async function kvmWorks(timeoutMs = 8000): Promise<boolean> {
  if (!existsSync("/dev/kvm")) return false;
  const kernel = await debianKernel();
  const args = ["-accel", "kvm", "-M", "q35", "-nodefaults", "-display", "none", "-no-reboot"];
  args.push("-serial", "none", "-kernel", kernel.vmlinuz, "-append", "panic=-1");
  return new Promise((resolve) => {
    const child = spawn("qemu-system-x86_64", args, { stdio: "ignore" });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", () => resolve(false));
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}

/** `auto`: KVM when the probe passes, else TCG. */
export async function chooseAccel(wanted: "tcg" | "kvm" | "auto"): Promise<"tcg" | "kvm"> {
  if (wanted !== "auto") return wanted;
  return (await kvmWorks()) ? "kvm" : "tcg";
}
