import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { readJsonFile, writeJsonAtomic } from "../fs/atomic.js";
import type { Logger } from "../log.js";
import type { RevisionSpec } from "../model/revision.js";
import type { ExitStatus } from "../recovery/auto-recovery.js";
import type { ReportJournal } from "../report/journal.js";
import type { ContainerRuntime, ContainerState } from "../runtime/runtime.js";
import { HEALTH_WINDOW_MS, HealthLimiter, type HealthObservation } from "./health-limiter.js";

export interface HealthOptions {
  /** Rate-bound window per (kind, part) (default 60 s). */
  windowMs?: number;
  /** Container poll interval (default 1 s). */
  intervalMs?: number;
  /** Where the kernel's boot id is read (a changed one means the board rebooted). */
  kernelBootIdPath?: string;
  now?: () => number;
}

/** The exit code or signal of an exit, for the report. */
export function exitFields(exit: ExitStatus): Pick<HealthObservation, "exitCode" | "signal"> {
  if (!exit) return {};
  return "code" in exit ? { exitCode: exit.code } : { signal: exit.signal };
}

const describeExit = (exit: ExitStatus) =>
  !exit
    ? "exit status unknown"
    : "code" in exit
      ? `exit code ${exit.code}`
      : `signal ${exit.signal}`;

/**
 * Health of the committed revision after `DONE`: polls its containers (those auto_recovery does
 * not own: the recovery supervisor reports its own restarts through {@link observe}), notices an
 * agent restart and an unexpected board reboot at start, and journals rate-bounded health
 * reports ({@link HealthLimiter}). Suspended while an apply runs: TESTING judges exits itself.
 */
export class HealthMonitor {
  private readonly limiter: HealthLimiter;
  private readonly now: () => number;
  private revision: RevisionSpec | undefined;
  private seen = new Map<string, ContainerState>();
  private poll: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(
    private readonly journal: ReportJournal,
    private readonly runtime: ContainerRuntime,
    private readonly log: Logger,
    private readonly storeDir: string,
    private readonly options: HealthOptions = {},
  ) {
    this.limiter = new HealthLimiter(options.windowMs ?? HEALTH_WINDOW_MS);
    this.now = options.now ?? Date.now;
  }

  /** Something happened to a part of the watched revision (exit code etc. in `fields`). */
  observe(
    kind: HealthObservation["health"],
    part: string | undefined,
    exit: ExitStatus,
    why: string,
  ) {
    if (!this.revision) return;
    const observation: HealthObservation = {
      health: kind,
      revision: this.revision.ref,
      ...(part !== undefined ? { part } : {}),
      ...exitFields(exit),
      message: part ? `${part}: ${why} (${describeExit(exit)})` : why,
    };
    void this.send(observation);
  }

  /** At agent start, on the committed revision: an agent restart or an unexpected reboot. */
  async started(committed: RevisionSpec | undefined, applyInterrupted: boolean): Promise<void> {
    const markerPath = join(this.storeDir, "health.json");
    const kernelBootId = await readFile(
      this.options.kernelBootIdPath ?? "/proc/sys/kernel/random/boot_id",
      "utf8",
    ).then(
      (text) => text.trim(),
      () => "unknown",
    );
    const marker = await readJsonFile<{ kernelBootId?: string } | null>(markerPath, null);
    await writeJsonAtomic(markerPath, { kernelBootId });
    if (!committed || !marker) return;
    this.revision = committed;
    if (marker.kernelBootId !== kernelBootId && !applyInterrupted)
      await this.send({
        health: "board_rebooted",
        revision: committed.ref,
        message: `the board booted again (boot id ${kernelBootId}) without an update asking for it`,
      });
    else
      await this.send({
        health: "agent_restarted",
        revision: committed.ref,
        message: `the agent started again on ${committed.ref}`,
      });
  }

  /** Watches `revision`'s containers from now on (their current states are the baseline). */
  watch(revision: RevisionSpec | undefined): void {
    this.revision = revision;
    this.seen = new Map();
    clearInterval(this.poll);
    if (!revision) return;
    this.poll = setInterval(() => void this.tick(), this.options.intervalMs ?? 1_000);
    this.poll.unref();
  }

  async suspend(): Promise<void> {
    clearInterval(this.poll);
    this.poll = undefined;
    await this.polling;
  }

  stop(): Promise<void> {
    clearTimeout(this.flushTimer);
    return this.suspend();
  }

  /** One pass over the containers; passes never overlap. */
  tick(): Promise<void> {
    this.polling ??= this.pass().finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async pass(): Promise<void> {
    const revision = this.revision;
    for (const part of revision?.parts ?? []) {
      if (part.statusGoal === "MOUNTED") continue;
      const recovered =
        part.restartPolicy === "container" && part.autoRecovery && part.autoRecovery.type !== "no";
      if (recovered) continue;
      const name = part.containerName;
      const state = await this.runtime.state(name).catch(() => undefined);
      if (!state || this.revision !== revision) return;
      const before = this.seen.get(name);
      this.seen.set(name, state);
      // Watching starts right after a commit or a boot that (re)started every container.
      const wasUp = before === undefined || before === "RUNNING" || before === "STARTING";
      if (wasUp && state === "STOPPED")
        this.observe("container_exited", part.name, await this.runtime.exitStatus(name), "exited");
      else if (wasUp && state === "ABSENT")
        this.observe(
          "status_goal_lost",
          part.name,
          undefined,
          `no longer holds ${part.statusGoal}`,
        );
    }
  }

  /** Resolves once the report (if not held by the rate bound) is journaled. */
  private send(observation: HealthObservation): Promise<void> {
    const input = this.limiter.observe(observation, this.now());
    this.armFlush();
    if (!input) return Promise.resolve();
    return this.journal.health(input).then(
      () => undefined,
      (e) => this.failed(e),
    );
  }

  private armFlush(): void {
    const due = this.limiter.nextDue();
    clearTimeout(this.flushTimer);
    if (due === undefined) return;
    this.flushTimer = setTimeout(() => this.flush(), Math.max(0, due - this.now()));
    this.flushTimer.unref();
  }

  /** Sends the reports held back by the rate bound whose window ended. */
  flush(): void {
    for (const input of this.limiter.due(this.now()))
      void this.journal.health(input).catch((e) => this.failed(e));
    this.armFlush();
  }

  private failed(error: unknown): void {
    this.log.error("health report not journaled", { error: (error as Error).message });
  }
}
