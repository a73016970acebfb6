import { ApplyError } from "../apply/apply-error.js";
import { clearTry } from "../boot/boot-env.js";
import { planBoot } from "../plan/planner.js";
import type { Step } from "../plan/steps.js";
import type { StatusReport } from "../report/report.js";
import type { ApplyContext } from "./apply-context.js";
import { bootFacts } from "./boot.js";
import { applyAndCommit } from "./install-revision.js";

/**
 * Board mode, the bootloader booted the tried revision: start its containers group by
 * group, TESTING, then commit (pv_rev = try, try cleared) or roll back (try cleared, reboot
 * onto pv_rev's kernel).
 */
export async function runTryBoot(ctx: ApplyContext, revision: string): Promise<StatusReport> {
  const trail = await ctx.store.readTrail(revision);
  if (!trail) {
    return rollBackWithReboot(
      ctx,
      revision,
      new ApplyError("boot_failed", `booted tried revision ${revision} but its trail is missing`),
    );
  }
  const spec = ctx.toSpec(trail.state, trail.id, trail.ref);
  await ctx.journal.report({
    revision: spec.ref,
    status: "INPROGRESS",
    message: `booted ${spec.ref} (try); starting its containers`,
  });
  const watch = spec.parts.filter((p) => p.statusGoal !== "MOUNTED").map((p) => p.containerName);
  const steps: Step[] = [
    ...planBoot(await ctx.config.runtime.list(), spec, ctx.committed),
    { action: "awaitCommitDelay", revision: spec.id, watch },
    { action: "commit", revision: spec.id, outcome: "DONE" },
  ];
  return applyAndCommit(ctx, spec, steps, rollBackWithReboot);
}

/** The try failed after it booted: the try is cleared first, the report journaled, then reboot. */
async function rollBackWithReboot(
  ctx: ApplyContext,
  ref: string,
  error: unknown,
): Promise<StatusReport> {
  const reason = error instanceof ApplyError ? error.reason : "boot_failed";
  const message = (error as Error).message;
  ctx.log.error("try boot failed; rolling back with a reboot", { revision: ref, reason, message });
  await ctx.store.writeBootEnv(clearTry(await ctx.store.readBootEnv()));
  ctx.crashPoint("during-rollback");
  const report = await ctx.finish({
    revision: ref,
    status: "ERROR",
    reason,
    message: `${message}; rolling back to ${ctx.committed?.ref ?? "no revision"} with a reboot (${bootFacts(ctx)})`,
  });
  await ctx.reboot(`try of ${ref} failed`);
  return report;
}
