import { mkdir, readdir, readFile, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../fs/atomic.js";
import type { ExitStatus } from "../recovery/auto-recovery.js";
import { run, runOrThrow } from "./exec.js";
import { mountRootVolume, releaseRootVolume } from "./rootfs.js";
import type { ContainerDirs, ContainerRuntime, ContainerState } from "./runtime.js";

const STATES = new Set(["RUNNING", "STOPPED", "STARTING", "STOPPING"]);

/**
 * Real LXC through its command-line tools, in one lxcpath owned by this agent. No
 * lxc-create: the agent writes `<lxcpath>/<name>/config` itself. Containers are removed
 * by deleting that directory, because lxc-destroy would also delete the rootfs the
 * config points at (the agent's staged files).
 */
export class LxcRuntime implements ContainerRuntime {
  readonly kind = "lxc" as const;
  readonly logsConsole = true;

  constructor(readonly lxcpath: string) {}

  async list(): Promise<string[]> {
    await mkdir(this.lxcpath, { recursive: true });
    const names: string[] = [];
    for (const entry of await readdir(this.lxcpath, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const config = await stat(join(this.lxcpath, entry.name, "config")).catch(() => undefined);
      if (config) names.push(entry.name);
    }
    return names.sort();
  }

  async state(name: string): Promise<ContainerState> {
    const result = await run("lxc-info", ["-P", this.lxcpath, "-n", name, "-s", "-H"]);
    const state = result.stdout.trim();
    if (result.code !== 0 || !STATES.has(state)) return "ABSENT";
    return state as ContainerState;
  }

  mountRootfs(_name: string, kind: "squashfs" | "tar", objectPath: string, dirs: ContainerDirs) {
    return mountRootVolume(kind, objectPath, dirs);
  }

  async define(name: string, config: string): Promise<void> {
    const dir = join(this.lxcpath, name);
    await mkdir(dir, { recursive: true });
    await writeFileAtomic(join(dir, "config"), config);
  }

  async start(name: string): Promise<void> {
    if ((await this.state(name)) === "RUNNING") return;
    await runOrThrow("lxc-start", ["-P", this.lxcpath, "-n", name, "-d"]);
  }

  /** A real app signals its readiness itself, through its control socket. */
  async afterStart(): Promise<void> {}

  /**
   * From the container's LXC log (level INFO): the last `Started "…" with pid` line, then
   * `Child <pid> ended on error (N)` / `ended on signal (N)`; no such line after the start
   * means init exited with status 0.
   */
  async exitStatus(name: string): Promise<ExitStatus> {
    const config = await readFile(join(this.lxcpath, name, "config"), "utf8").catch(() => "");
    const logFile = /^lxc\.log\.file\s*=\s*(.+)$/m.exec(config)?.[1]?.trim();
    if (!logFile) return undefined;
    const log = await readFile(logFile, "utf8").catch(() => "");
    return exitStatusFromLog(log);
  }

  async remove(name: string, dirs: ContainerDirs): Promise<void> {
    const state = await this.state(name);
    if (state !== "ABSENT" && state !== "STOPPED") {
      await runOrThrow("lxc-stop", ["-P", this.lxcpath, "-n", name, "-k"]);
    }
    await rm(join(this.lxcpath, name), { recursive: true, force: true });
    await releaseRootVolume(dirs);
  }
}

export function exitStatusFromLog(log: string): ExitStatus {
  const started = [...log.matchAll(/Started "[^"]*" with pid "(\d+)"/g)].at(-1);
  if (!started) return undefined;
  const after = log.slice(started.index);
  const ended = new RegExp(`Child <${started[1]}> ended on (error|signal) \\((\\d+)\\)`).exec(
    after,
  );
  if (!ended) return { code: 0 };
  const value = Number(ended[2]);
  return ended[1] === "signal" ? { signal: value } : { code: value };
}
