import { type KeyInput, type TargetEnvelope, verifyTarget } from "@statecast/contract";
import { ApplyError } from "../apply/apply-error.js";
import { checkPartConfigs } from "../apply/part-configs.js";
import { beginTry, clearTry } from "../boot/boot-env.js";
import { bspFilesOf, EspTrails } from "../boot/esp.js";
import { fetchMissingObjects } from "../fetch/fetch-objects.js";
import { type ObjectSource, ObjectUnavailable } from "../fetch/object-source.js";
import { InvalidStateError, type RevisionSpec } from "../model/revision.js";
import { needsReboot, planReconcile, planSteps } from "../plan/planner.js";
import type { Step } from "../plan/steps.js";
import type { DownloadCounters, StatusReport } from "../report/report.js";
import { LxcConfigRefused } from "../runtime/lxc-config.js";
import type { ApplyContext } from "./apply-context.js";
import { bootFacts } from "./boot.js";
import { collectGarbage } from "./gc.js";
import { type WindowGate, waitForWindow } from "./window-wait.js";

/** A verified revision to install, from a target or a bundle. */
export interface Install extends WindowGate {
  state: Record<string, unknown>;
  digest: string;
  ref: string;
  seq: number;
}

/** A target being installed, as a re-signed copy of it (same seq and state) must find it. */
export type InFlightTarget = {
  seq: number;
  digest: string;
  force: AbortController;
  done: Promise<StatusReport>;
};

/** Whether `envelope` is the in-flight target again, signed by a trusted orchestrator key. */
export function rewriteOf(current: InFlightTarget, envelope: TargetEnvelope, keys: KeyInput[]) {
  return (
    typeof envelope === "object" &&
    envelope !== null &&
    envelope.seq === current.seq &&
    envelope.stateDigest === current.digest &&
    verifyTarget(envelope, keys).ok
  );
}

/**
 * check → QUEUED → fetch (DOWNLOADING) → trail → INPROGRESS → steps (TESTING before the
 * commit delay) → DONE/UPDATED, or rollback → ERROR. `signal` aborts the download.
 */
export async function installRevision(
  ctx: ApplyContext,
  install: Install,
  source: ObjectSource,
  signal: AbortSignal,
): Promise<StatusReport> {
  const { ref } = install;
  const { store, journal, config } = ctx;
  const record = await store.readRecord();
  await store.writeRecord({ ...record, lastSeq: install.seq, lastSeqSettled: false });
  if (install.consentRequired) ctx.control.consent.reset(); // answers are per target
  await journal.report({
    revision: ref,
    status: "QUEUED",
    message: `target seq ${install.seq} accepted`,
  });
  let spec: RevisionSpec;
  try {
    spec = ctx.toSpec(install.state, install.digest, ref);
    await ctx.traced("agent.fetch", () => fetch(ctx, spec, source, signal));
    await checkPartConfigs(store, spec);
  } catch (error) {
    // Nothing is installed yet, so any failure here ends in WONTGO: an unexpected one (a source
    // that keeps timing out, a store error) must still be reported, never leave the device silent.
    const known =
      error instanceof ApplyError ||
      error instanceof InvalidStateError ||
      error instanceof LxcConfigRefused;
    if (!known) ctx.log.error("fetch failed", { error: (error as Error).message });
    return ctx.finish({
      revision: ref,
      status: "WONTGO",
      reason: known ? error.reason : "fetch_failed",
      message: (error as Error).message,
    });
  }
  ctx.crashPoint("after-download");
  await store.writeTrail({ id: spec.id, ref, seq: install.seq, state: install.state });
  try {
    await waitForWindow(ctx, ref, install, signal, config.clock);
  } catch (error) {
    if (!(error instanceof ApplyError)) throw error;
    return ctx.finish({
      revision: ref,
      status: "WONTGO",
      reason: error.reason,
      message: error.message,
    });
  }
  if (config.board) {
    const refused = await stageBoot(ctx, spec);
    if (refused) return refused;
  }
  await journal.report({
    revision: ref,
    status: "INPROGRESS",
    message: "objects verified; applying",
  });
  // On a board a revision that needs a reboot is tried by the bootloader, unless it is the
  // very one booted (the factory revision's first install): that applies in place.
  if (config.board && ctx.booted !== spec.id && needsReboot(ctx.committed, spec))
    return rebootIntoTry(ctx, spec);
  const steps = planSteps(
    { committed: ctx.committed, containers: await config.runtime.list() },
    spec,
  );
  if (steps.length === 0) {
    return ctx.finish({ revision: ref, status: "DONE", message: "already running this revision" });
  }
  return applyAndCommit(ctx, spec, steps, rollback);
}

/**
 * Runs the planned steps (TESTING reported before the commit delay), then reports the
 * commit's outcome; a failure goes to `onFailure`.
 */
export async function applyAndCommit(
  ctx: ApplyContext,
  spec: RevisionSpec,
  steps: Step[],
  onFailure: (ctx: ApplyContext, ref: string, error: unknown) => Promise<StatusReport>,
): Promise<StatusReport> {
  const { ref } = spec;
  try {
    await ctx.run(steps, async (step) => {
      if (step.action !== "awaitCommitDelay") return;
      await ctx.journal.report({
        revision: ref,
        status: "TESTING",
        message: `all status goals reached; commit in ${ctx.config.commitDelayMs} ms`,
      });
    });
  } catch (error) {
    return onFailure(ctx, ref, error);
  }
  ctx.committed = spec;
  const last = steps.at(-1);
  const outcome = last?.action === "commit" ? last.outcome : "DONE";
  const report = await ctx.finish({
    revision: ref,
    status: outcome,
    message: `revision ${ref} committed${ctx.config.board ? ` (${bootFacts(ctx)})` : ""}`,
  });
  await collectGarbage(ctx.store, ctx.config.runtime, ctx.log, ctx.config.board?.esp).catch((e) =>
    ctx.log.warn("gc failed", { error: (e as Error).message }),
  );
  return report;
}

/**
 * Board mode: the revision's kernel and initrd into the ESP's `trails/<rev>/` before any
 * try names it (a power cut after pv_try is set must find them). Refuses a state with no
 * kernel: a board cannot boot it.
 */
async function stageBoot(ctx: ApplyContext, spec: RevisionSpec): Promise<StatusReport | undefined> {
  const files = bspFilesOf(spec, (id) => ctx.store.objectPath(id));
  const refuse = (reason: string, message: string) =>
    ctx.finish({ revision: spec.ref, status: "WONTGO", reason, message });
  if (!files)
    return refuse(
      "invalid_state",
      "bsp/run.json names no linux kernel object; a board cannot boot it",
    );
  ctx.log.info("staging the boot files", { revision: spec.ref });
  try {
    await ctx.traced("agent.stageBoot", () =>
      new EspTrails(ctx.config.board!.esp).stage(spec.id, files),
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return refuse(code === "ENOSPC" ? "no_space" : "boot_stage_failed", (error as Error).message);
  }
  ctx.crashPoint("after-stage-boot");
  return undefined;
}

/** Board mode, a revision that needs a reboot: pv_try set (the bootloader latches it), reboot. */
async function rebootIntoTry(ctx: ApplyContext, spec: RevisionSpec): Promise<StatusReport> {
  await ctx.store.writeBootEnv(beginTry(await ctx.store.readBootEnv(), spec.id, true));
  ctx.crashPoint("after-begin-try");
  const report = await ctx.journal.report({
    revision: spec.ref,
    status: "INPROGRESS",
    message: `rebooting into ${spec.ref}`,
  });
  await ctx.reboot(`trying revision ${spec.ref}`);
  return report;
}

const RETRY_REPORT_MS = 5_000;

async function fetch(
  ctx: ApplyContext,
  spec: RevisionSpec,
  source: ObjectSource,
  signal: AbortSignal,
): Promise<void> {
  let lastReport = 0;
  let lastRetryReport = Number.NEGATIVE_INFINITY;
  let last: DownloadCounters | undefined;
  // A refusal is logged by the journal; a progress report is never worth an apply.
  const progress = (message: string) =>
    void ctx.journal
      .report({
        revision: spec.ref,
        status: "DOWNLOADING",
        message,
        ...(last ? { downloads: last } : {}),
      })
      .catch(() => undefined);
  ctx.log.info("fetching", { revision: spec.ref, objects: spec.objects.length });
  const counters = await fetchMissingObjects(ctx.store, source, spec.objects, {
    concurrency: ctx.config.fetchConcurrency ?? 4,
    attempts: ctx.config.fetchAttempts ?? 20,
    reserveBytes: ctx.config.reserveBytes ?? 16 * 1024 * 1024,
    signal,
    onRetry: (id, error, { attempt, attempts, delayMs }) => {
      const unavailable = error instanceof ObjectUnavailable;
      const what = unavailable
        ? "object unavailable; asking again"
        : "object fetch interrupted; resuming";
      ctx.log.warn(what, { id, error: error.message, attempt, attempts, delayMs });
      // The operator sees a device waiting for its objects, not a silent one; at most one such
      // report per RETRY_REPORT_MS (a busy gateway's ingestion needs no more of them).
      if (Date.now() - lastRetryReport < RETRY_REPORT_MS) return;
      lastRetryReport = Date.now();
      progress(`${what}: ${id} (attempt ${attempt} of ${attempts}, next in ${delayMs} ms)`);
    },
    onDeltaFallback: (id, error) =>
      ctx.log.warn("object delta unusable; fetching the full object", { id, error: error.message }),
    onProgress: (downloads) => {
      last = downloads;
      // The last object's progress is not reported on its own: the summary below follows it at
      // once with the same counters (one report, and one event, fewer per device and target).
      if (Date.now() - lastReport < 250 || downloads.objectsFetched === downloads.objects) return;
      lastReport = Date.now();
      progress(`fetching from ${source.name}`);
    },
  });
  await ctx.journal.report({
    revision: spec.ref,
    status: "DOWNLOADING",
    message: `${counters.objects} objects fetched (${counters.deltaObjects} as deltas): ${counters.fetchedBytes} of ${counters.neededBytes} bytes, ${counters.resumedBytes} resumed`,
    downloads: counters,
  });
}

/** Back to pv_rev: latch cleared first, then the committed containers reconciled. */
async function rollback(ctx: ApplyContext, ref: string, error: unknown): Promise<StatusReport> {
  const reason = error instanceof ApplyError ? error.reason : "boot_failed";
  const message = (error as Error).message;
  ctx.log.error("apply failed; rolling back", { revision: ref, reason, message });
  await ctx.store.writeBootEnv(clearTry(await ctx.store.readBootEnv()));
  ctx.crashPoint("during-rollback");
  await ctx
    .run(planReconcile(await ctx.config.runtime.list(), ctx.committed))
    .catch((e) => ctx.log.error("rollback reconcile failed", { error: (e as Error).message }));
  return ctx.finish({
    revision: ref,
    status: "ERROR",
    reason,
    message: `${message}; rolled back to ${ctx.committed?.ref ?? "no revision"}`,
  });
}
