import { chmod, lstat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { LxcConfigError } from "./lxc-config.js";

/** Where `app add` writes the wrapper that runs an image's command in the container's rootfs. */
export const INIT_WRAPPER = "/.statecast-init";

/** How LXC starts an image's Entrypoint + Cmd: an `lxc.init.cmd` value, and maybe a wrapper. */
export interface InitCommand {
  /** The value of `lxc.init.cmd`. */
  cmd: string;
  /** A `/bin/sh` script to write at INIT_WRAPPER (mode 0755) when the arguments need it. */
  wrapper?: string;
}

// LXC splits lxc.init.cmd on spaces and honours no quotes or escapes: only such arguments pass.
const PLAIN = /^[^\s'"\\]+$/;

/**
 * Docker runs Entrypoint + Cmd as an argv, with no shell. LXC's `lxc.init.cmd` is one line split
 * on spaces, so an argument with a blank or a quote (`sh -c 'echo hello; sleep 1'`) cannot be
 * written there. Such a command runs through a generated script that `exec`s the same argv, each
 * argument single-quoted for `/bin/sh`: exactly the arguments Docker would pass, in the same
 * process (PID 1), with the image's environment.
 */
export function initCommand(argv: readonly string[]): InitCommand {
  if (argv.every((arg) => PLAIN.test(arg))) return { cmd: argv.join(" ") };
  const quoted = argv.map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`).join(" ");
  return {
    cmd: INIT_WRAPPER,
    wrapper: `#!/bin/sh\n# statecast app add: the image's Entrypoint + Cmd, argument for argument\nexec ${quoted}\n`,
  };
}

/** Writes the wrapper into an unpacked rootfs; the image must have a `/bin/sh` to run it. */
export async function writeInitWrapper(rootfs: string, wrapper: string): Promise<void> {
  // lstat: an absolute symlink (bin/sh -> /bin/busybox) points into the image, not the host.
  const shell = await lstat(join(rootfs, "bin", "sh")).catch(() => undefined);
  if (!shell) {
    throw new LxcConfigError(
      "the image's Entrypoint/Cmd has an argument with a blank or a quote, which lxc.init.cmd cannot carry, and the image has no /bin/sh to run it through a wrapper",
    );
  }
  const path = join(rootfs, INIT_WRAPPER);
  await writeFile(path, wrapper, { mode: 0o755 });
  await chmod(path, 0o755);
}
