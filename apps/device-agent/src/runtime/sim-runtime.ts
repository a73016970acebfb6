import { mkdir, readdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../fs/atomic.js";
import { withResourceRetry } from "../fs/resource-retry.js";
import type { ExitStatus } from "../recovery/auto-recovery.js";
import type { ContainerDirs, ContainerRuntime, ContainerState } from "./runtime.js";

/** Faults the simulated runtime injects, per part name (the part of `<part>.<digest>`). */
export interface SimFaults {
  /** Parts that start but never signal READY. */
  neverReady?: string[];
  /** Parts whose container exits this many ms after it started. */
  exitAfterMs?: Record<string, number>;
  /** Parts that fail to start at all. */
  failStart?: string[];
}

function partOf(name: string): string {
  return name.slice(0, name.lastIndexOf(".") > 0 ? name.lastIndexOf(".") : name.length);
}

/** Signals READY through the control socket exactly as a containerised app does. */
async function signalReady(socketPath: string): Promise<void> {
  const { request } = await import("node:http");
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        path: "/signal",
        method: "POST",
        headers: { "content-type": "application/json" },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve());
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify({ type: "ready" }));
  });
}

/**
 * Simulated containers: definitions and a running marker on disk (so an agent restart
 * finds them, like real ones), no processes. Every log line and report says `sim`.
 * This instance is the only writer of its `simpath`, so it keeps what it read or wrote in
 * memory: a state poll (health, metrics, recovery) costs the simulation no file system call,
 * which with thousands of agents in one load generator would be most of its work.
 */
export class SimRuntime implements ContainerRuntime {
  readonly kind = "sim" as const;
  readonly logsConsole = false;
  private readonly timers = new Map<string, NodeJS.Timeout[]>();
  /** States read from or written to disk by this instance, by container. */
  private readonly known = new Map<string, ContainerState>();

  constructor(
    readonly simpath: string,
    private readonly faults: SimFaults = {},
    private readonly startDelayMs = 5,
  ) {}

  async list(): Promise<string[]> {
    await mkdir(this.simpath, { recursive: true });
    const entries = await readdir(this.simpath, { withFileTypes: true });
    return entries
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  }

  async state(name: string): Promise<ContainerState> {
    const known = this.known.get(name);
    if (known !== undefined) return known;
    const state = await this.stateOnDisk(name);
    // A concurrent define/start/remove decided it meanwhile: theirs is the newer.
    if (!this.known.has(name)) this.known.set(name, state);
    return this.known.get(name) ?? state;
  }

  private async stateOnDisk(name: string): Promise<ContainerState> {
    const dir = join(this.simpath, name);
    if (!(await stat(join(dir, "config")).catch(() => undefined))) return "ABSENT";
    return (await stat(join(dir, "running")).catch(() => undefined)) ? "RUNNING" : "STOPPED";
  }

  async mountRootfs(
    _name: string,
    _kind: "squashfs" | "tar",
    objectPath: string,
    dirs: ContainerDirs,
  ) {
    await stat(objectPath); // the staged object must exist, as for a real mount
    await mkdir(dirs.rootfs, { recursive: true });
    await mkdir(dirs.control, { recursive: true });
  }

  async define(name: string, config: string): Promise<void> {
    await mkdir(join(this.simpath, name), { recursive: true });
    await writeFileAtomic(join(this.simpath, name, "config"), config);
    await writeFile(join(this.simpath, name, "control"), "");
    // Defining keeps a running container running (its marker stays), as before.
    if (this.known.get(name) !== "RUNNING") this.known.delete(name);
  }

  async start(name: string): Promise<void> {
    const part = partOf(name);
    if (this.faults.failStart?.includes(part))
      throw new Error(`sim: container ${name} failed to start (injected)`);
    await new Promise((r) => setTimeout(r, this.startDelayMs));
    await writeFileAtomic(join(this.simpath, name, "running"), "");
    this.known.set(name, "RUNNING");
    const timers: NodeJS.Timeout[] = [];
    const exitAfter = this.faults.exitAfterMs?.[part];
    if (exitAfter !== undefined) {
      timers.push(
        setTimeout(
          // Out of descriptors the simulated exit is late, never an unhandled rejection.
          () =>
            void withResourceRetry(() => rm(join(this.simpath, name, "running"), { force: true }), {
              what: `sim: exiting ${name}`,
            }).then(() => {
              if (this.known.get(name) === "RUNNING") this.known.set(name, "STOPPED");
            }),
          exitAfter,
        ),
      );
    }
    this.timers.set(name, timers);
  }

  /** A simulated exit (the `exitAfterMs` fault) is a failure, exit status 1. */
  async exitStatus(name: string): Promise<ExitStatus> {
    return (await this.state(name)) === "STOPPED" ? { code: 1 } : undefined;
  }

  /** Called by the executor once the control socket exists (a real app signals by itself). */
  async afterStart(name: string, dirs: ContainerDirs): Promise<void> {
    if (this.faults.neverReady?.includes(partOf(name))) return;
    await signalReady(join(dirs.control, "control.sock")).catch(() => undefined);
  }

  async remove(name: string, dirs: ContainerDirs): Promise<void> {
    for (const timer of this.timers.get(name) ?? []) clearTimeout(timer);
    this.timers.delete(name);
    this.known.delete(name);
    await rm(join(this.simpath, name), { recursive: true, force: true });
    this.known.set(name, "ABSENT");
    await rm(dirs.root, { recursive: true, force: true });
  }
}
