import type { Logger } from "../log.js";
import type { PartSpec, RevisionSpec } from "../model/revision.js";
import type { ContainerRuntime } from "../runtime/runtime.js";
import { decideRecovery, type ExitStatus, type RecoveryHistory } from "./auto-recovery.js";

/** Told of every exit the supervisor handles: restarted, or left stopped (health reports). */
export type RecoveryObserver = (
  kind: "container_restarted" | "container_exited",
  part: string,
  exit: ExitStatus,
  why: string,
) => void;

interface Watched {
  part: PartSpec;
  history: RecoveryHistory;
  /** When the current run started (the agent saw it RUNNING, or restarted it). */
  runningSince: number;
  /** A restart waiting for its backoff delay. */
  restartAt?: number;
  /** Left stopped: budget spent, a clean exit under on-failure, or a failed restart. */
  failed: boolean;
  /** Restarts done since the agent started (never reset: the device's metrics show it). */
  restarts: number;
}

/**
 * Watches the committed revision's `container`-policy parts that have an `auto_recovery`
 * policy and restarts them when they exit, as Pantavisor does. Suspended while an apply runs
 * (TESTING treats an exit as a failed update and rolls back instead). Counters live in memory:
 * an agent restart starts every budget afresh.
 */
export class RecoverySupervisor {
  private watched = new Map<string, Watched>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  observer: RecoveryObserver | undefined;

  constructor(
    private readonly runtime: ContainerRuntime,
    private readonly log: Logger,
    private readonly intervalMs = 250,
  ) {}

  /** Starts watching `revision` (replacing what was watched); nothing to do without policies. */
  watch(revision: RevisionSpec | undefined, now = Date.now()): void {
    const parts = (revision?.parts ?? []).filter(
      (p) => p.restartPolicy === "container" && p.autoRecovery && p.autoRecovery.type !== "no",
    );
    const previous = this.watched;
    this.watched = new Map(
      parts.map((part) => [
        part.containerName,
        previous.get(part.containerName) ?? {
          part,
          history: { retries: 0 },
          runningSince: now,
          failed: false,
          restarts: 0,
        },
      ]),
    );
    if (this.watched.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    this.timer ??= setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** How often auto_recovery restarted this container since the agent started. */
  restartsOf(containerName: string): number {
    return this.watched.get(containerName)?.restarts ?? 0;
  }

  /** Stops watching until the next `watch` (an apply is running, or the agent stops). */
  async suspend(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
  }

  /** One pass over the watched containers; passes never overlap. */
  tick(now = Date.now()): Promise<void> {
    this.ticking ??= this.pass(now).finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async pass(now: number): Promise<void> {
    for (const [name, entry] of this.watched) {
      if (entry.failed) continue;
      const state = await this.runtime.state(name);
      if (state === "RUNNING" || state === "STARTING") {
        if (entry.restartAt !== undefined) entry.restartAt = undefined;
        continue;
      }
      if (state !== "STOPPED") continue;
      if (entry.restartAt === undefined) await this.schedule(entry, name, now);
      else if (now >= entry.restartAt) await this.restart(entry, name, now);
    }
  }

  private async schedule(entry: Watched, name: string, now: number): Promise<void> {
    const policy = entry.part.autoRecovery!;
    const exit = await this.runtime.exitStatus(name);
    const decision = decideRecovery(policy, entry.history, exit, now - entry.runningSince);
    entry.history = decision.history;
    if (decision.action === "leave") {
      entry.failed = true;
      this.observer?.("container_exited", entry.part.name, exit, `left stopped: ${decision.why}`);
      this.log.error("auto-recovery: container left stopped", {
        container: name,
        exit,
        why: decision.why,
      });
      return;
    }
    entry.restartAt = now + decision.delayMs;
    this.observer?.(
      "container_restarted",
      entry.part.name,
      exit,
      `exited; auto_recovery restart ${decision.attempt} of ${policy.maxRetries}`,
    );
    this.log.warn("auto-recovery: container exited; restarting after backoff", {
      container: name,
      exit,
      attempt: decision.attempt,
      of: policy.maxRetries,
      delayMs: decision.delayMs,
    });
  }

  private async restart(entry: Watched, name: string, now: number): Promise<void> {
    entry.restartAt = undefined;
    entry.runningSince = now;
    entry.restarts++;
    try {
      await this.runtime.start(name);
      this.log.info("auto-recovery: container restarted", {
        container: name,
        attempt: entry.history.retries,
      });
    } catch (error) {
      entry.failed = true;
      this.log.error("auto-recovery: restart failed", {
        container: name,
        error: (error as Error).message,
      });
    }
  }
}
