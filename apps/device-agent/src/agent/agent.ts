import { ApplyError } from "../apply/apply-error.js";
import { StepExecutor } from "../apply/executor.js";
import { abandonedTry, clearTry } from "../boot/boot-env.js";
import { ControlSockets } from "../control/control-server.js";
import { fetchMissingObjects } from "../fetch/fetch-objects.js";
import type { ObjectSource } from "../fetch/object-source.js";
import { createLogger, type Logger } from "../log.js";
import { InvalidStateError, type RevisionSpec, revisionFromState } from "../model/revision.js";
import { planReconcile, planSteps } from "../plan/planner.js";
import type { Step } from "../plan/steps.js";
import { ReportJournal } from "../report/journal.js";
import type { StatusReport } from "../report/report.js";
import { LocalStore } from "../store/local-store.js";
import { checkState, checkTarget, TargetRejected } from "../target/check-target.js";
import type { TargetEnvelope } from "../target/envelope.js";
import type { AgentConfig } from "./agent-config.js";
import { collectGarbage } from "./gc.js";

export type { AgentConfig } from "./agent-config.js";

/** A verified revision to install, from a target or a bundle. */
interface Install {
  state: Record<string, unknown>;
  digest: string;
  ref: string;
  seq: number;
}

/** The convergence loop of one device: check, fetch, plan, execute, report. One apply at a time. */
export class Agent {
  readonly store: LocalStore;
  readonly journal: ReportJournal;
  readonly log: Logger;
  private readonly control = new ControlSockets();
  private readonly executor: StepExecutor;
  private committed: RevisionSpec | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private download: AbortController | undefined;
  private interrupted: string | undefined;

  constructor(readonly config: AgentConfig) {
    this.store = new LocalStore(config.storeDir);
    this.journal = new ReportJournal(this.store.journalDir, config.deviceId, config.runtime.kind);
    this.log = createLogger(config.deviceId, config.runtime.kind, config.quiet);
    this.executor = new StepExecutor({
      store: this.store,
      runtime: config.runtime,
      control: this.control,
      log: this.log,
      commitDelayMs: config.commitDelayMs,
      crashPoint: (point) => this.crashPoint(point),
    });
  }

  get committedRevision(): RevisionSpec | undefined {
    return this.committed;
  }

  private crashPoint(point: string): void {
    if (this.config.crashAt !== point) return;
    this.log.warn("injected crash", { point });
    process.kill(process.pid, "SIGKILL");
  }

  private async spec(revision: string): Promise<RevisionSpec | undefined> {
    const trail = await this.store.readTrail(revision);
    if (!trail) return undefined;
    return this.toSpec(trail.state, trail.id, trail.ref);
  }

  private toSpec(state: Record<string, unknown>, id: string, ref: string): RevisionSpec {
    const spec = revisionFromState(state, id, ref, this.config.groupTimeoutMs);
    if (!this.config.mountOnly) return spec;
    return { ...spec, parts: spec.parts.map((p) => ({ ...p, statusGoal: "MOUNTED" as const })) };
  }

  /** Boot: play the bootloader's part of try-boot, then reconcile LXC with the records. */
  async start(): Promise<void> {
    await this.store.init();
    let env = await this.store.readBootEnv();
    const abandoned = abandonedTry(env);
    if (abandoned) {
      env = clearTry(env);
      await this.store.writeBootEnv(env);
    }
    this.committed = await this.spec(env.pv_rev);
    const containers = await this.withoutExited(await this.config.runtime.list());
    for (const part of this.committed?.parts ?? []) {
      if (containers.includes(part.containerName)) {
        await this.control.open(
          part.containerName,
          this.store.containerDirs(part.containerName).control,
        );
      }
    }
    await this.run(planReconcile(containers, this.committed)).catch((error) =>
      this.log.error("reconcile failed", { error: (error as Error).message }),
    );
    this.log.info("booted", {
      revision: this.committed?.ref ?? "(none)",
      abandoned: abandoned ?? null,
    });
    await this.settleInterrupted(abandoned);
  }

  /** Removes committed containers that exited while the agent was down, so they start again. */
  private async withoutExited(containers: string[]): Promise<string[]> {
    const kept: string[] = [];
    for (const name of containers) {
      const part = this.committed?.parts.find((p) => p.containerName === name);
      if (
        part &&
        part.statusGoal !== "MOUNTED" &&
        (await this.config.runtime.state(name)) !== "RUNNING"
      ) {
        this.log.warn("container exited while the agent was down", { container: name });
        await this.config.runtime.remove(name, this.store.containerDirs(name));
      } else kept.push(name);
    }
    return kept;
  }

  /** Gives the unfinished apply found at boot its final report. */
  private async settleInterrupted(abandoned: string | undefined): Promise<void> {
    const last = (await this.journal.all()).at(-1);
    const record = await this.store.readRecord();
    if (abandoned) {
      const ref = (await this.store.readTrail(abandoned))?.ref ?? abandoned;
      await this.finish({
        revision: ref,
        status: "ERROR",
        reason: "unexpected_rollback",
        message: `tried revision ${ref} did not commit; booted ${this.committed?.ref ?? "nothing"}`,
      });
    } else if (last && !["DONE", "UPDATED", "WONTGO", "ERROR"].includes(last.status)) {
      if (
        this.committed &&
        last.revision === this.committed.ref &&
        record.lastCommit?.revision === this.committed.id
      ) {
        await this.finish({
          revision: last.revision,
          status: record.lastCommit.outcome,
          message: "committed before the agent restarted",
        });
      } else {
        this.interrupted = last.revision;
      }
    }
  }

  /**
   * An apply cut before its try began left nothing installed. Connected, the target is
   * still in KV and comes back (its seq is accepted again, the download resumes); offline
   * (`install`), nothing will retry it, so it gets its final report here.
   */
  async settleInterruptedApply(): Promise<void> {
    if (!this.interrupted) return;
    const revision = this.interrupted;
    this.interrupted = undefined;
    await this.finish({
      revision,
      status: "ERROR",
      reason: "apply_interrupted",
      message: `the agent stopped mid-apply; ${this.committed?.ref ?? "no revision"} is running`,
    });
  }

  private async finish(report: Parameters<ReportJournal["report"]>[0]): Promise<StatusReport> {
    const record = await this.store.readRecord();
    await this.store.writeRecord({ ...record, lastSeqSettled: true });
    return this.journal.report(report);
  }

  private async run(steps: Step[], onStep?: (step: Step) => Promise<void>): Promise<void> {
    for (const step of steps) {
      await onStep?.(step);
      await this.executor.execute(step);
    }
  }

  /** A target from the gateway: envelope and state checks, then the apply. */
  applyTarget(envelope: TargetEnvelope, source: ObjectSource): Promise<StatusReport> {
    this.download?.abort();
    return this.serialize(async () => {
      if (
        typeof envelope !== "object" ||
        envelope === null ||
        typeof envelope.revision !== "string"
      ) {
        return this.journal.report({
          revision: "",
          status: "WONTGO",
          reason: "invalid_target",
          message: "target is not a target envelope",
        });
      }
      const record = await this.store.readRecord();
      try {
        checkTarget(envelope, {
          deviceId: this.config.deviceId,
          lastSeq: record.lastSeq,
          lastSeqSettled: record.lastSeqSettled,
          now: new Date(),
          orchestratorKeys: this.config.orchestratorKeys,
          trustPolicy: this.config.trustPolicy,
        });
      } catch (error) {
        if (!(error instanceof TargetRejected)) throw error;
        return this.journal.report({
          revision: String(envelope.revision),
          status: "WONTGO",
          reason: error.reason,
          message: error.message,
        });
      }
      const { state, stateDigest, revision, seq } = envelope;
      return this.install({ state, digest: stateDigest, ref: revision, seq }, source);
    });
  }

  /** An offline bundle: the same state checks (no envelope) and the same apply. */
  installState(state: Record<string, unknown>, digest: string, ref: string, source: ObjectSource) {
    return this.serialize(async () => {
      try {
        checkState(state, digest, this.config.trustPolicy);
      } catch (error) {
        if (!(error instanceof TargetRejected)) throw error;
        return this.finish({
          revision: ref,
          status: "WONTGO",
          reason: error.reason,
          message: error.message,
        });
      }
      const record = await this.store.readRecord();
      return this.install({ state, digest, ref, seq: record.lastSeq }, source);
    });
  }

  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async install(install: Install, source: ObjectSource): Promise<StatusReport> {
    const { ref } = install;
    const record = await this.store.readRecord();
    await this.store.writeRecord({ ...record, lastSeq: install.seq, lastSeqSettled: false });
    await this.journal.report({
      revision: ref,
      status: "QUEUED",
      message: `target seq ${install.seq} accepted`,
    });
    let spec: RevisionSpec;
    try {
      spec = this.toSpec(install.state, install.digest, ref);
      await this.fetch(spec, source);
    } catch (error) {
      if (!(error instanceof ApplyError) && !(error instanceof InvalidStateError)) throw error;
      return this.finish({
        revision: ref,
        status: "WONTGO",
        reason: error.reason,
        message: error.message,
      });
    }
    this.crashPoint("after-download");
    await this.store.writeTrail({ id: spec.id, ref, seq: install.seq, state: install.state });
    await this.journal.report({
      revision: ref,
      status: "INPROGRESS",
      message: "objects verified; applying",
    });
    const steps = planSteps(
      { committed: this.committed, containers: await this.config.runtime.list() },
      spec,
    );
    if (steps.length === 0)
      return this.finish({
        revision: ref,
        status: "DONE",
        message: "already running this revision",
      });
    try {
      await this.run(steps, async (step) => {
        if (step.action === "awaitCommitDelay") {
          await this.journal.report({
            revision: ref,
            status: "TESTING",
            message: `all status goals reached; commit in ${this.config.commitDelayMs} ms`,
          });
        }
      });
    } catch (error) {
      return this.rollback(ref, error);
    }
    this.committed = spec;
    const outcome =
      steps.at(-1)?.action === "commit"
        ? (steps.at(-1) as { outcome: "DONE" | "UPDATED" }).outcome
        : "DONE";
    const report = await this.finish({
      revision: ref,
      status: outcome,
      message: `revision ${ref} committed`,
    });
    await collectGarbage(this.store, this.config.runtime, this.log).catch((e) =>
      this.log.warn("gc failed", { error: (e as Error).message }),
    );
    return report;
  }

  private async fetch(spec: RevisionSpec, source: ObjectSource): Promise<void> {
    this.download = new AbortController();
    let lastReport = 0;
    const counters = await fetchMissingObjects(this.store, source, spec.objects, {
      concurrency: this.config.fetchConcurrency ?? 4,
      reserveBytes: this.config.reserveBytes ?? 16 * 1024 * 1024,
      signal: this.download.signal,
      onRetry: (id, error) =>
        this.log.warn("object fetch interrupted; resuming", { id, error: error.message }),
      onProgress: (downloads) => {
        if (Date.now() - lastReport < 250 && downloads.objectsFetched < downloads.objects) return;
        lastReport = Date.now();
        void this.journal.report({
          revision: spec.ref,
          status: "DOWNLOADING",
          message: `fetching from ${source.name}`,
          downloads,
        });
      },
    });
    this.download = undefined;
    await this.journal.report({
      revision: spec.ref,
      status: "DOWNLOADING",
      message: `${counters.objects} objects fetched, ${counters.resumedBytes} bytes resumed`,
      downloads: counters,
    });
  }

  /** Back to pv_rev: latch cleared first, then the committed containers reconciled. */
  private async rollback(ref: string, error: unknown): Promise<StatusReport> {
    const reason = error instanceof ApplyError ? error.reason : "boot_failed";
    const message = (error as Error).message;
    this.log.error("apply failed; rolling back", { revision: ref, reason, message });
    await this.store.writeBootEnv(clearTry(await this.store.readBootEnv()));
    this.crashPoint("during-rollback");
    await this.run(planReconcile(await this.config.runtime.list(), this.committed)).catch((e) =>
      this.log.error("rollback reconcile failed", { error: (e as Error).message }),
    );
    return this.finish({
      revision: ref,
      status: "ERROR",
      reason,
      message: `${message}; rolled back to ${this.committed?.ref ?? "no revision"}`,
    });
  }

  /** Stops listening; containers keep running (the agent is not their parent). */
  async stop(): Promise<void> {
    this.download?.abort();
    await this.control.closeAll();
  }

  /** Every container, then the agent: for test teardown and decommissioning. */
  async removeAllContainers(): Promise<void> {
    for (const name of await this.config.runtime.list()) {
      await this.config.runtime.remove(name, this.store.containerDirs(name));
    }
    await this.control.closeAll();
  }
}
