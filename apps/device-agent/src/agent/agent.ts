import { mkdirSync } from "node:fs";
import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { TargetEnvelope } from "@statecast/contract";
import { StepExecutor } from "../apply/executor.js";
import { reboot } from "../boot/reboot.js";
import { ControlSockets } from "../control/control-server.js";
import { type CrashPoint, crashHook } from "../faults/crash-point.js";
import type { ObjectSource } from "../fetch/object-source.js";
import { writeFileAtomic } from "../fs/atomic.js";
import { HealthMonitor } from "../health/health-monitor.js";
import { createLogger, type Logger } from "../log.js";
import { DeviceLogs } from "../logs/device-logs.js";
import { LogRing } from "../logs/log-ring.js";
import { type RevisionSpec, revisionFromState } from "../model/revision.js";
import type { Step } from "../plan/steps.js";
import { RecoverySupervisor } from "../recovery/recovery-supervisor.js";
import { ReportJournal } from "../report/journal.js";
import type { ReportInput, StatusReport } from "../report/report.js";
import { LocalStore } from "../store/local-store.js";
import { checkState, TargetRejected } from "../target/check-target.js";
import { ApplyTrace } from "../trace/trace.js";
import { agentHealth } from "../watchdog/agent-health.js";
import type { HealthVerdict } from "../watchdog/health.js";
import { Watchdog } from "../watchdog/watchdog.js";
import type { AgentConfig } from "./agent-config.js";
import type { ApplyContext } from "./apply-context.js";
import { bootDevice } from "./boot.js";
import { checkEnvelope } from "./check-envelope.js";
import { GatewayLink } from "./gateway-link.js";
import { type InFlightTarget, installRevision, rewriteOf } from "./install-revision.js";
import { runTryBoot } from "./try-boot.js";

export type { AgentConfig } from "./agent-config.js";

/** In the store while a reboot the agent asked for is under way. */
const REBOOT_MARKER = "reboot-requested";

/** Pantavisor's updater network timeout: how long TESTING tolerates a lost gateway. */
export const DEFAULT_GATEWAY_TIMEOUT_MS = 120_000;

/**
 * The convergence loop of one device: check, fetch, plan, execute, report. One apply at a
 * time; a newer target aborts the current download. Boot and install live in boot.ts and
 * install-revision.ts; this class owns the state they share.
 */
export class Agent implements ApplyContext {
  readonly store: LocalStore;
  readonly journal: ReportJournal;
  readonly log: Logger;
  readonly control = new ControlSockets();
  /** The NATS side reports its connection here; TESTING watches it. */
  readonly gateway: GatewayLink;
  readonly crashPoint: (point: CrashPoint) => void;
  committed: RevisionSpec | undefined;
  booted: string | undefined;
  bootMarkers: string[] = [];
  /** auto_recovery of the committed revision's containers, between applies. */
  readonly recovery: RecoverySupervisor;
  /** Health of the committed revision after DONE: rate-bounded health reports. */
  readonly health: HealthMonitor;
  /** The agent's log ring and the containers' console logs, for remote reading. */
  readonly logs: DeviceLogs;
  private readonly executor: StepExecutor;
  private queue: Promise<unknown> = Promise.resolve();
  private download: AbortController | undefined;
  /** The target being installed: a rewrite of it (a refresh, an operator's force) reaches it. */
  private inFlight: InFlightTarget | undefined;
  private fromGateway = false;
  private interrupted: string | undefined;
  /** The trace of the target being applied (one apply at a time). */
  private applying: ApplyTrace | undefined;
  /** Board mode: the TESTING and commit (or rollback) of a try the bootloader booted. */
  tryBoot: Promise<StatusReport> | undefined;
  private testingTry = false;
  /** Work running in the serialized queue (an apply, a try boot). */
  private busy = 0;
  private rebooting = false;
  private watchdog: Watchdog | undefined;
  private readonly ring: LogRing;

  constructor(readonly config: AgentConfig) {
    this.store = new LocalStore(config.storeDir, config.board?.boot);
    const logsDir = join(config.storeDir, "logs");
    mkdirSync(logsDir, { recursive: true });
    this.logs = new DeviceLogs(
      logsDir,
      this.store.root,
      () => this.committed,
      config.runtime.logsConsole,
    );
    this.ring = new LogRing(this.logs.agentLog);
    const ring = this.ring;
    this.log = createLogger(
      config.deviceId,
      config.runtime.kind,
      config.quiet,
      config.logSink,
      (line) => ring.append(line),
    );
    this.store.log = this.log;
    this.journal = new ReportJournal(
      this.store.journalDir,
      config.deviceId,
      config.runtime.kind,
      this.log,
    );
    this.gateway = new GatewayLink(config.gatewayTimeoutMs ?? DEFAULT_GATEWAY_TIMEOUT_MS);
    this.crashPoint = crashHook(config.crashAt, this.log);
    this.recovery = new RecoverySupervisor(config.runtime, this.log);
    this.health = new HealthMonitor(
      this.journal,
      config.runtime,
      this.log,
      config.storeDir,
      config.health,
    );
    this.recovery.observer = (kind, part, exit, why) => this.health.observe(kind, part, exit, why);
    this.executor = new StepExecutor({
      store: this.store,
      runtime: config.runtime,
      control: this.control,
      log: this.log,
      commitDelayMs: config.commitDelayMs,
      // TESTING needs the gateway only for a target that came from it, not an offline bundle.
      gateway: () => (this.fromGateway ? this.gateway : undefined),
      crashPoint: this.crashPoint,
    });
  }

  get committedRevision(): RevisionSpec | undefined {
    return this.committed;
  }

  toSpec(state: Record<string, unknown>, id: string, ref: string): RevisionSpec {
    const spec = revisionFromState(state, id, ref, this.config.groupTimeoutMs);
    if (!this.config.mountOnly) return spec;
    return { ...spec, parts: spec.parts.map((p) => ({ ...p, statusGoal: "MOUNTED" as const })) };
  }

  /**
   * Boot: what this start is (try-boot variables, on a board the kernel command line),
   * reconcile LXC with the records, settle an interrupted apply. A try the bootloader booted
   * then runs in the background (`tryBoot`), before any target, while the gateway connects.
   */
  async start(): Promise<void> {
    // Petted from the first moment: the boot's reconcile may start containers for a while.
    await this.startWatchdog();
    this.busy++; // containers come and go during the boot's reconcile, as in an apply
    let boot: Awaited<ReturnType<typeof bootDevice>>;
    try {
      boot = await bootDevice(this);
    } finally {
      this.busy--;
    }
    this.interrupted = boot.interrupted;
    // A reboot the agent or the bootloader's try-boot asked for is not a board_rebooted event.
    const expected = (await this.rebootWasRequested()) || boot.tryBoot !== undefined;
    await this.health.started(this.committed, this.interrupted !== undefined || expected);
    this.watchCommitted();
    const revision = boot.tryBoot;
    if (revision) this.tryBoot = this.serialize(() => this.testTry(revision));
  }

  private async startWatchdog(): Promise<void> {
    const watchdog = this.config.watchdog;
    if (!watchdog) return;
    this.watchdog = new Watchdog(
      watchdog.device,
      watchdog.intervalMs,
      () => this.watchdogHealth(),
      this.log,
    );
    await this.watchdog
      .start()
      .catch((error) =>
        this.log.error("watchdog not opened", { device: watchdog.device, error: error.message }),
      );
  }

  /** Board mode: the board reboots (the report that says why is journaled first). */
  async reboot(why: string): Promise<void> {
    this.rebooting = true;
    await writeFileAtomic(join(this.store.root, REBOOT_MARKER), `${why}\n`);
    await reboot(this.config.board?.reboot ?? [], why, this.log);
  }

  /** Whether the last reboot was the agent's (the marker is consumed). */
  private async rebootWasRequested(): Promise<boolean> {
    const marker = join(this.store.root, REBOOT_MARKER);
    const found = await stat(marker).then(
      () => true,
      () => false,
    );
    if (found) await rm(marker, { force: true });
    return found;
  }

  /** The watchdog's question, answered from the agent's state (watchdog/health.ts decides). */
  watchdogHealth(): Promise<HealthVerdict> {
    return agentHealth({
      committed: this.busy > 0 ? undefined : this.committed,
      runtime: this.config.runtime,
      gateway: this.gateway,
      rebooting: this.rebooting,
      testingTry: this.testingTry,
      applying: this.busy > 0,
    });
  }

  /** auto_recovery and health watch the committed revision: between applies, and while one waits. */
  watchCommitted(): void {
    this.recovery.watch(this.committed);
    this.health.watch(this.committed);
  }

  /** Both stop while an apply changes containers (TESTING judges exits itself). */
  async suspendWatchers(): Promise<void> {
    await this.recovery.suspend();
    await this.health.suspend();
  }

  private async testTry(revision: string): Promise<StatusReport> {
    await this.suspendWatchers();
    // A try must reach the gateway to commit when the agent runs connected.
    this.fromGateway = this.config.expectGateway ?? false;
    if (this.fromGateway) this.gateway.expect();
    this.testingTry = true;
    try {
      return await runTryBoot(this, revision);
    } finally {
      this.testingTry = false;
      this.fromGateway = false;
      this.watchCommitted();
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

  async finish(report: ReportInput): Promise<StatusReport> {
    const record = await this.store.readRecord();
    await this.store.writeRecord({ ...record, lastSeqSettled: true });
    return this.journal.report(report);
  }

  async run(steps: Step[], onStep?: (step: Step) => Promise<void>): Promise<void> {
    for (const step of steps) {
      await onStep?.(step);
      await this.traced(`agent.${step.action}`, () => this.executor.execute(step));
    }
  }

  /** `work` in a span of the apply in progress (none at boot or for an offline bundle). */
  traced<T>(name: string, work: () => Promise<T>): Promise<T> {
    return this.applying ? this.applying.step(name, {}, work) : work();
  }

  /** A target from the gateway, traced: the apply continues the target's trace context. */
  applyTarget(envelope: TargetEnvelope, source: ObjectSource): Promise<StatusReport> {
    const current = this.inFlight;
    if (current && rewriteOf(current, envelope, this.config.orchestratorKeys)) {
      // The same target re-signed (a refresh, or an operator's force): the install goes on.
      if (envelope.installNow) current.force.abort();
      return current.done;
    }
    this.download?.abort();
    return this.serialize(async () => {
      const given = typeof envelope === "object" && envelope !== null ? envelope : undefined;
      const applying = new ApplyTrace(given?.traceparent, {
        "statecast.device_id": this.config.deviceId,
        "statecast.revision": String(given?.revision),
      });
      this.applying = applying;
      this.journal.traceparent = applying.traceparent;
      try {
        const report = await this.checkAndInstall(envelope, source);
        applying.end(report.status, report.reason);
        return report;
      } catch (error) {
        applying.end("ERROR", (error as Error).message);
        throw error;
      } finally {
        this.applying = undefined;
        this.journal.traceparent = undefined;
      }
    });
  }

  /** Envelope and state checks, then the apply. */
  private async checkAndInstall(
    envelope: TargetEnvelope,
    source: ObjectSource,
  ): Promise<StatusReport> {
    const checked = await checkEnvelope(this, envelope);
    return "status" in checked ? checked : this.install(checked, source, true);
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

  private async install(
    install: Parameters<typeof installRevision>[1],
    source: ObjectSource,
    fromGateway = false,
  ): Promise<StatusReport> {
    const download = new AbortController();
    const force = new AbortController();
    this.download = download;
    this.fromGateway = fromGateway;
    await this.suspendWatchers();
    const done = installRevision(
      this,
      { ...install, forced: force.signal },
      source,
      download.signal,
    );
    const inFlight = { seq: install.seq, digest: install.digest, force, done };
    if (fromGateway) this.inFlight = inFlight;
    try {
      return await done;
    } finally {
      if (this.inFlight === inFlight) this.inFlight = undefined;
      if (this.download === download) this.download = undefined;
      this.fromGateway = false;
      this.watchCommitted();
    }
  }

  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      this.busy++;
      try {
        return await work();
      } finally {
        this.busy--;
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Stops listening; containers keep running (the agent is not their parent). */
  async stop(): Promise<void> {
    this.download?.abort();
    await this.watchdog?.stop();
    await this.recovery.suspend();
    await this.health.stop();
    await this.control.closeAll();
    await this.journal.close();
    this.ring.close();
  }

  /** Every container, then the agent: for test teardown and decommissioning. */
  async removeAllContainers(): Promise<void> {
    await this.recovery.suspend();
    await this.health.stop();
    for (const name of await this.config.runtime.list()) {
      await this.config.runtime.remove(name, this.store.containerDirs(name));
    }
    await this.control.closeAll();
  }
}
