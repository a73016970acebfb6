import { setTimeout as sleep } from "node:timers/promises";
import {
  type MaintenanceWindow,
  WAITING_FOR_WINDOW,
  windowsStateAt,
  windowWaitMessage,
} from "@statecast/contract";
import { ApplyError } from "../apply/apply-error.js";
import type { ApplyContext } from "./apply-context.js";

/** Re-checks at least this often: a clock step or a suspended board must not oversleep a window. */
const RECHECK_MS = 30_000;

export type WindowGate = {
  windows?: MaintenanceWindow[] | undefined;
  /** An operator forced the install (the target's `installNow`). */
  installNow?: boolean | undefined;
};

/**
 * Holds an install whose objects are downloaded until one of the target's maintenance windows is
 * open (issue 20). While it waits the device reports DOWNLOADING at 100 % with the reason
 * `waiting_for_window` and the window's opening: download-only, visible, neither failed nor done.
 * A newer target aborts the wait as it aborts a download.
 */
export async function waitForWindow(
  ctx: ApplyContext,
  ref: string,
  gate: WindowGate,
  signal: AbortSignal,
  clock: () => Date = () => new Date(),
): Promise<void> {
  if (gate.installNow) return;
  let reported: string | undefined;
  for (;;) {
    const state = windowsStateAt(gate.windows, clock());
    if (state === null || state.open) return;
    const message = windowWaitMessage(state);
    if (message !== reported) {
      await ctx.journal.report({
        revision: ref,
        status: "DOWNLOADING",
        progress: 100,
        reason: WAITING_FOR_WINDOW,
        message,
      });
      ctx.log.info("downloaded; waiting for a maintenance window", { window: state.window });
      reported = message;
    }
    const untilOpen =
      state.opensAt === null ? RECHECK_MS : Date.parse(state.opensAt) - clock().getTime();
    try {
      await sleep(Math.max(10, Math.min(RECHECK_MS, untilOpen)), undefined, { signal });
    } catch {
      throw new ApplyError(
        "superseded",
        `waiting for window ${state.window} aborted by a newer target`,
      );
    }
  }
}
