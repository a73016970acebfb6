import type { AppSpec } from "./app-spec.js";
import { storageName } from "./app-spec.js";
import type { ImageConfig } from "./image-config.js";
import type { InitCommand } from "./init-command.js";

export class LxcConfigError extends Error {
  override readonly name = "LxcConfigError";
}

/** A numeric uid/gid pair the container's init runs as. */
export interface InitUser {
  uid: number;
  gid: number;
}

/** Entrypoint + Cmd, as Docker joins them; refused when empty. */
export function imageArgv(image: ImageConfig): string[] {
  const argv = [...image.entrypoint, ...image.cmd];
  if (argv.length === 0)
    throw new LxcConfigError("the image has neither Entrypoint nor Cmd: nothing to run as init");
  return argv;
}

/**
 * Renders `lxc.container.conf` from the image config, pvr's builtin docker template style;
 * `init` is the image's command as LXC runs it (see `initCommand`). It stays within what the
 * device agent grants an app part (apps/device-agent README "LXC configs"): no device cgroup
 * allow rule, `/sys` mixed rather than read-write.
 */
export function lxcContainerConf(
  app: AppSpec,
  image: ImageConfig,
  rootVolume: string,
  user: InitUser | null,
  init: InitCommand,
): string {
  const lines = [
    "lxc.tty.max = 8",
    "lxc.pty.max = 1024",
    `lxc.rootfs.path = overlayfs:/volumes/${app.name}/${rootVolume}:/volumes/${app.name}/lxc-overlay/upper`,
    `lxc.init.cmd = ${line(init.cmd, "Entrypoint/Cmd")}`,
  ];
  if (image.workingDir) lines.push(`lxc.init.cwd = ${line(image.workingDir, "WorkingDir")}`);
  if (user) lines.push(`lxc.init.uid = ${user.uid}`, `lxc.init.gid = ${user.gid}`);
  for (const env of image.env) lines.push(`lxc.environment = ${line(env, "Env")}`);
  lines.push(
    "lxc.mount.auto = proc sys:mixed cgroup",
    "lxc.mount.entry = tmpfs run tmpfs rw,nodev,relatime,create=dir,mode=755 0 0",
  );
  for (const path of volumePaths(app, image)) {
    const target = path.replace(/^\/+|\/+$/g, "");
    lines.push(
      `lxc.mount.entry = /volumes/${app.name}/${storageName(path)} ${target} none bind,rw,create=dir 0 0`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Operator volumes first, then the image's declared volumes not already given. */
export function volumePaths(app: AppSpec, image: ImageConfig): string[] {
  const names = new Set<string>();
  const paths: string[] = [];
  for (const path of [...app.volumes.map((v) => v.path), ...image.volumes]) {
    const name = storageName(path);
    if (names.has(name)) continue;
    names.add(name);
    paths.push(path);
  }
  return paths;
}

function line(value: string, what: string): string {
  if (/[\n\r\0]/.test(value)) throw new LxcConfigError(`image ${what} "${value}" spans lines`);
  return value;
}
