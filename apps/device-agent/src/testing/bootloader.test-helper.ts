import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import type { BootBackend } from "../boot/boot-backend.js";

/**
 * The bootloader's half of try-boot, as the board's GRUB script does it (README "Board
 * mode"), played on the real environment (grub-editenv / fw_setenv through the backend) so
 * the agent can be tested on the host; the board e2e runs the real GRUB. `grub` style falls
 * back by recording pv_failed and clearing the try; `uboot` style (Pantavisor's U-Boot
 * scripts) leaves the latch for the agent to find. Writes the kernel command line it
 * "booted" and returns the revision.
 */
export async function bootloaderBoot(
  backend: BootBackend,
  cmdlinePath: string,
  style: "grub" | "uboot" = "grub",
): Promise<string> {
  const env = await backend.read();
  let booted = env.pv_rev;
  if (env.pv_try !== "" && env.pv_trying === env.pv_try) {
    if (style === "grub")
      await backend.write({ pv_rev: env.pv_rev, pv_try: "", pv_trying: "", pv_failed: env.pv_try });
  } else if (env.pv_try !== "") {
    await backend.write({ ...env, pv_trying: env.pv_try });
    booted = env.pv_try;
  }
  writeFileSync(
    cmdlinePath,
    `BOOT_IMAGE=/trails/${booted}/linux statecast.rev=${booted} statecast.marker=t ro\n`,
  );
  return booted;
}

/** A fresh GRUB environment block, as the image builder makes it. */
export function createGrubenv(dir: string): string {
  const path = join(dir, "grubenv");
  execFileSync("grub-editenv", [path, "create"]);
  return path;
}

/**
 * A file-backed U-Boot environment (one copy, 16 KiB, valid CRC, one unrelated variable)
 * and the fw_env.config that points libubootenv at it.
 */
export function createUbootEnv(dir: string): string {
  const size = 0x4000;
  const data = Buffer.alloc(size - 4, 0);
  Buffer.from("bootdelay=3\0").copy(data);
  const block = Buffer.alloc(size);
  block.writeUInt32LE(crc32(data), 0);
  data.copy(block, 4);
  writeFileSync(join(dir, "uboot.env"), block);
  const config = join(dir, "fw_env.config");
  writeFileSync(config, `${join(dir, "uboot.env")} 0x0 0x${size.toString(16)}\n`);
  return config;
}
