import { setTimeout as sleep } from "node:timers/promises";
import {
  CONSENT_REASONS,
  lockWaitMessage,
  type MaintenanceWindow,
  WAITING_FOR_LOCK,
  WAITING_FOR_WINDOW,
  windowsStateAt,
  windowWaitMessage,
} from "@statecast/contract";
import { ApplyError } from "../apply/apply-error.js";
import type { ApplyContext } from "./apply-context.js";

/** Re-checks at least this often: a clock step or a suspended board must not oversleep a window. */
const RECHECK_MS = 30_000;
/** An app releases its lock at any moment: look again this often. */
const LOCK_POLL_MS = 500;

export type WindowGate = {
  windows?: MaintenanceWindow[] | undefined;
  /** An operator forced the install (the target's `installNow`): no window, no lock holds it. */
  installNow?: boolean | undefined;
  /** The fleet asks its apps before the device installs (the target's `consentRequired`). */
  consentRequired?: boolean | undefined;
  /** Aborted when an operator forces the install while it waits (the target re-signed). */
  forced?: AbortSignal | undefined;
};

type Wait = { reason: string; message: string; sleepMs: number; log: Record<string, string> };

/**
 * Holds an install whose objects are downloaded until one of the target's maintenance windows is
 * open and no app holds an update lock (issue 20). While it waits the device reports DOWNLOADING
 * at 100 % with the reason (`waiting_for_window` / `waiting_for_lock`) and what it waits for:
 * download-only, visible, neither failed nor done. A newer target aborts the wait as it aborts a
 * download. The committed revision runs on meanwhile: its auto_recovery and health watchers run
 * during the wait (hours, maybe) and stop again only when the install goes on.
 */
export async function waitForWindow(
  ctx: ApplyContext,
  ref: string,
  gate: WindowGate,
  signal: AbortSignal,
  clock: () => Date = () => new Date(),
): Promise<void> {
  let reported: string | undefined;
  let watching = false;
  try {
    for (;;) {
      if (gate.installNow || gate.forced?.aborted) return;
      const wait = await whatHolds(ctx, gate, clock);
      if (!wait) {
        if (gate.consentRequired && !gate.installNow && !gate.forced?.aborted)
          await ctx.journal.report({
            revision: ref,
            status: "DOWNLOADING",
            progress: 100,
            reason: CONSENT_REASONS.accept,
            message: "downloaded; consent accepted",
          });
        return;
      }
      if (wait.message !== reported) {
        await ctx.journal.report({
          revision: ref,
          status: "DOWNLOADING",
          progress: 100,
          reason: wait.reason,
          message: wait.message,
        });
        ctx.log.info(`downloaded; ${wait.reason.replaceAll("_", " ")}`, wait.log);
        reported = wait.message;
      }
      if (!watching) {
        ctx.watchCommitted();
        watching = true;
      }
      try {
        const either = gate.forced ? AbortSignal.any([signal, gate.forced]) : signal;
        await sleep(Math.max(10, wait.sleepMs), undefined, { signal: either });
      } catch {
        if (gate.forced?.aborted && !signal.aborted) return;
        throw new ApplyError("superseded", `${wait.message}: aborted by a newer target`);
      }
    }
  } finally {
    if (watching) await ctx.suspendWatchers();
  }
}

async function whatHolds(
  ctx: ApplyContext,
  gate: WindowGate,
  clock: () => Date,
): Promise<Wait | undefined> {
  const state = windowsStateAt(gate.windows, clock());
  if (state !== null && !state.open) {
    const untilOpen =
      state.opensAt === null ? RECHECK_MS : Date.parse(state.opensAt) - clock().getTime();
    return {
      reason: WAITING_FOR_WINDOW,
      message: windowWaitMessage(state),
      sleepMs: Math.min(RECHECK_MS, untilOpen),
      log: { window: state.window },
    };
  }
  const [lock] = (await ctx.control?.heldLocks()) ?? [];
  if (!lock) return gate.consentRequired ? consentWait(ctx, clock()) : undefined;
  return {
    reason: WAITING_FOR_LOCK,
    message: lockWaitMessage(lock),
    sleepMs: LOCK_POLL_MS,
    log: { container: lock.container, holder: lock.holder },
  };
}

/** No answer yet, or "later": wait. "skip" ends the target (WONTGO consent_skipped). */
function consentWait(ctx: ApplyContext, now: Date): Wait | undefined {
  const consent = ctx.control?.consent.current(now);
  if (consent?.answer === "accept") return undefined;
  if (consent?.answer === "skip")
    throw new ApplyError(CONSENT_REASONS.skip, `consent: the update was skipped by ${consent.by}`);
  if (consent?.answer === "later")
    return {
      reason: CONSENT_REASONS.later,
      message: `downloaded; consent: ask again at ${consent.askAgainAt}`,
      sleepMs: LOCK_POLL_MS,
      log: { by: consent.by },
    };
  return {
    reason: CONSENT_REASONS.waiting,
    message: "downloaded; waiting for consent",
    sleepMs: LOCK_POLL_MS,
    log: {},
  };
}
