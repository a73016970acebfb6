import { abandonedTry, clearTry } from "../boot/boot-env.js";
import { planReconcile } from "../plan/planner.js";
import type { ApplyContext } from "./apply-context.js";

/**
 * Boot: play the bootloader's part of try-boot, then reconcile LXC with the records.
 * Returns the revision of an apply cut before its try began (nothing of it installed), if any.
 */
export async function bootDevice(ctx: ApplyContext): Promise<string | undefined> {
  const { store, config, log } = ctx;
  await store.init();
  let env = await store.readBootEnv();
  const abandoned = abandonedTry(env);
  if (abandoned) {
    env = clearTry(env);
    await store.writeBootEnv(env);
  }
  const trail = await store.readTrail(env.pv_rev);
  ctx.committed = trail ? ctx.toSpec(trail.state, trail.id, trail.ref) : undefined;
  const containers = await withoutExited(ctx, await config.runtime.list());
  for (const part of ctx.committed?.parts ?? []) {
    if (containers.includes(part.containerName)) {
      await ctx.control.open(part.containerName, store.containerDirs(part.containerName).control);
    }
  }
  await ctx
    .run(planReconcile(containers, ctx.committed))
    .catch((error) => log.error("reconcile failed", { error: (error as Error).message }));
  log.info("booted", { revision: ctx.committed?.ref ?? "(none)", abandoned: abandoned ?? null });
  return settleInterrupted(ctx, abandoned);
}

/** Removes committed containers that exited while the agent was down, so they start again. */
async function withoutExited(ctx: ApplyContext, containers: string[]): Promise<string[]> {
  const { runtime } = ctx.config;
  const kept: string[] = [];
  for (const name of containers) {
    const part = ctx.committed?.parts.find((p) => p.containerName === name);
    if (part && part.statusGoal !== "MOUNTED" && (await runtime.state(name)) !== "RUNNING") {
      ctx.log.warn("container exited while the agent was down", { container: name });
      await runtime.remove(name, ctx.store.containerDirs(name));
    } else kept.push(name);
  }
  return kept;
}

/** Gives the unfinished apply found at boot its final report, or returns it as interrupted. */
async function settleInterrupted(
  ctx: ApplyContext,
  abandoned: string | undefined,
): Promise<string | undefined> {
  const last = (await ctx.journal.all()).at(-1);
  const record = await ctx.store.readRecord();
  if (abandoned) {
    const ref = (await ctx.store.readTrail(abandoned))?.ref ?? abandoned;
    await ctx.finish({
      revision: ref,
      status: "ERROR",
      reason: "unexpected_rollback",
      message: `tried revision ${ref} did not commit; booted ${ctx.committed?.ref ?? "nothing"}`,
    });
    return undefined;
  }
  if (!last || ["DONE", "UPDATED", "WONTGO", "ERROR"].includes(last.status)) return undefined;
  if (
    ctx.committed &&
    last.revision === ctx.committed.ref &&
    record.lastCommit?.revision === ctx.committed.id
  ) {
    await ctx.finish({
      revision: last.revision,
      status: record.lastCommit.outcome,
      message: "committed before the agent restarted",
    });
    return undefined;
  }
  return last.revision;
}
