// GRUB for the board: a standalone x86_64 EFI image with an embedded script doing Pantavisor's
// try-boot (pv_rev / pv_try / pv_trying, plus pv_failed as the fallback's evidence for the
// agent), and the 1 KiB GRUB environment block on the ESP (save_env rewrites it in place).
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cachedDir, contentKey } from "./cache.js";
import { runTool } from "./run-tool.js";

export const GRUB_SCRIPT = `set timeout=0
search --no-floppy --file /grubenv --set=esp
set envfile=($esp)/grubenv
load_env -f $envfile pv_rev pv_try pv_trying pv_failed
set boot_rev="$pv_rev"
set boot_mode=rev
if [ -n "$pv_try" ]; then
  if [ "$pv_trying" = "$pv_try" ]; then
    echo "statecast: the try of $pv_try did not complete; falling back to $pv_rev"
    set pv_failed="$pv_try"
    set pv_try=
    set pv_trying=
    save_env -f $envfile pv_failed pv_try pv_trying
  else
    set pv_trying="$pv_try"
    save_env -f $envfile pv_trying
    set boot_rev="$pv_try"
    set boot_mode=try
  fi
fi
set sc_cmdline=
if [ -f ($esp)/trails/$boot_rev/cmdline.env ]; then
  load_env -f ($esp)/trails/$boot_rev/cmdline.env sc_cmdline
fi
echo "statecast: booting $boot_mode $boot_rev"
linux ($esp)/trails/$boot_rev/linux statecast.rev=$boot_rev statecast.boot=$boot_mode console=ttyS0,115200 panic=1 quiet $sc_cmdline
initrd ($esp)/trails/$boot_rev/initrd
boot
echo "statecast: cannot boot $boot_rev; rebooting"
sleep 3
reboot
`;

const MODULES = "part_gpt fat search search_fs_file loadenv linux echo test normal sleep reboot";

/** BOOTX64.EFI with the script embedded; cached by script + grub version. */
export async function grubEfi(): Promise<string> {
  const version = await runTool("grub-mkstandalone", ["--version"]);
  const dir = await cachedDir("grub", contentKey(GRUB_SCRIPT, version, MODULES), async (tmp) => {
    writeFileSync(join(tmp, "grub.cfg"), GRUB_SCRIPT);
    await runTool("grub-mkstandalone", [
      "-O",
      "x86_64-efi",
      "-o",
      join(tmp, "BOOTX64.EFI"),
      "--locales=",
      "--fonts=",
      "--themes=",
      `--install-modules=${MODULES} configfile`,
      `--modules=${MODULES}`,
      `boot/grub/grub.cfg=${join(tmp, "grub.cfg")}`,
    ]);
  });
  return join(dir, "BOOTX64.EFI");
}

/** A GRUB env block file with `vars` set. */
export async function grubEnvFile(path: string, vars: Record<string, string>): Promise<void> {
  if (!existsSync(path)) await runTool("grub-editenv", [path, "create"]);
  const sets = Object.entries(vars).map(([k, v]) => `${k}=${v}`);
  if (sets.length > 0) await runTool("grub-editenv", [path, "set", ...sets]);
}
