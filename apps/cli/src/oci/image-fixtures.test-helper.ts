import { type ChildProcess, spawn } from "node:child_process";
import { copyFile, mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { freePort, waitForPort } from "@statecast/infra";
import { runTool } from "./run-tool.js";

/** A private docker-registry on 127.0.0.1 with its storage under `dir`. */
export interface TestRegistry {
  host: string;
  stop(): Promise<void>;
}

export async function startTestRegistry(dir: string): Promise<TestRegistry> {
  const port = await freePort();
  const config = join(dir, "registry.yml");
  await writeFile(
    config,
    [
      "version: 0.1",
      "log:",
      "  level: error",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${join(dir, "registry-data")}`,
      "http:",
      `  addr: 127.0.0.1:${port}`,
      "",
    ].join("\n"),
  );
  const child: ChildProcess = spawn("/usr/bin/docker-registry", ["serve", config], {
    stdio: "ignore",
  });
  await waitForPort(port, 10_000);
  return {
    host: `127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

export interface BuiltImage {
  cmd?: string[];
  entrypoint?: string[];
  env?: string[];
  workdir?: string;
  user?: string;
  volumes?: string[];
  /** extra file written into the rootfs at /etc/statecast-marker, to vary the image. */
  marker?: string;
}

/** Builds a busybox OCI image `<dir>/layout:<tag>` with umoci, the way an operator would. */
export async function buildBusyboxImage(dir: string, tag: string, image: BuiltImage) {
  const layout = join(dir, "layout");
  const bundle = join(dir, `bundle-${tag}`);
  await runTool("umoci", ["init", "--layout", layout]).catch(() => undefined);
  await runTool("umoci", ["new", "--image", `${layout}:${tag}`]);
  await runTool("umoci", ["unpack", "--image", `${layout}:${tag}`, bundle]);
  const rootfs = join(bundle, "rootfs");
  await mkdir(join(rootfs, "bin"), { recursive: true });
  await mkdir(join(rootfs, "etc"), { recursive: true });
  await copyFile("/bin/busybox", join(rootfs, "bin", "busybox"));
  await symlink("busybox", join(rootfs, "bin", "sh"));
  await writeFile(
    join(rootfs, "etc", "passwd"),
    "root:x:0:0::/root:/bin/sh\napp:x:1000:1001::/:/bin/sh\n",
  );
  await writeFile(join(rootfs, "etc", "group"), "root:x:0:\napp:x:1001:\n");
  await writeFile(join(rootfs, "etc", "statecast-marker"), image.marker ?? "one\n");
  await runTool("umoci", ["repack", "--image", `${layout}:${tag}`, bundle]);
  const args = ["config", "--image", `${layout}:${tag}`];
  for (const c of image.cmd ?? []) args.push("--config.cmd", c);
  for (const e of image.entrypoint ?? []) args.push("--config.entrypoint", e);
  for (const e of image.env ?? []) args.push("--config.env", e);
  for (const v of image.volumes ?? []) args.push("--config.volume", v);
  if (image.workdir) args.push("--config.workingdir", image.workdir);
  if (image.user) args.push("--config.user", image.user);
  await runTool("umoci", args);
  return { layout, ref: `oci:${layout}:${tag}` };
}

/** Pushes an image to the registry (plain HTTP on loopback). */
export async function pushImage(from: string, to: string): Promise<void> {
  await runTool("skopeo", ["copy", "--quiet", "--dest-tls-verify=false", from, to]);
}
