import { release } from "node:os";
import { clearTry } from "../boot/boot-env.js";
import { classifyBoardBoot, classifyHostStart, readBootCmdline } from "../boot/booted.js";
import { planReconcile } from "../plan/planner.js";
import type { ApplyContext } from "./apply-context.js";

/** What runs, for board-mode reports: the kernel release and the revision GRUB booted. */
export function bootFacts(ctx: ApplyContext): string {
  const markers = ctx.bootMarkers?.length ? `, ${ctx.bootMarkers.join(" ")}` : "";
  return `kernel ${release()}, booted ${ctx.booted ?? "unknown"}${markers}`;
}

/** What the start found still to do. */
export interface BootResult {
  /** An apply cut before its try began (nothing of it installed). */
  interrupted?: string;
  /** Board mode: the bootloader booted this tried revision; TESTING decides its fate. */
  tryBoot?: string;
}

/**
 * Boot: learn from the try-boot variables (and on a board the kernel command line) what
 * this start is, settle a failed try, then reconcile LXC with the records.
 */
export async function bootDevice(ctx: ApplyContext): Promise<BootResult> {
  const { store, config, log } = ctx;
  await store.init();
  const env = await store.readBootEnv();
  const cmdline = config.board
    ? await readBootCmdline(config.board.cmdlinePath).catch((error) => {
        log.warn("cannot read the kernel command line", { error: error.message });
        return { revision: undefined, markers: [] };
      })
    : undefined;
  const booted = cmdline?.revision;
  if (config.board && !booted) log.warn("no statecast.rev= on the kernel command line");
  ctx.bootMarkers = cmdline?.markers ?? [];
  ctx.booted = booted;
  const start = config.board ? classifyBoardBoot(env, booted) : classifyHostStart(env);
  if (start.kind === "failed" || start.kind === "abandoned")
    await store.writeBootEnv(clearTry(env));
  const trail = await store.readTrail(env.pv_rev);
  ctx.committed = trail ? ctx.toSpec(trail.state, trail.id, trail.ref) : undefined;
  log.info("boot", { case: start.kind, booted: booted ?? null, pv_rev: env.pv_rev });
  if (start.kind === "pending" && config.board) {
    await ctx.reboot(`revision ${start.revision} is set to be tried`);
    return {};
  }
  if (start.kind === "try") return { tryBoot: start.revision };
  const containers = await withoutExited(ctx, await config.runtime.list());
  for (const part of ctx.committed?.parts ?? []) {
    if (containers.includes(part.containerName)) {
      await ctx.control.open(part.containerName, store.containerDirs(part.containerName).control);
    }
  }
  await ctx
    .run(planReconcile(containers, ctx.committed))
    .catch((error) => log.error("reconcile failed", { error: (error as Error).message }));
  log.info("booted", { revision: ctx.committed?.ref ?? "(none)" });
  if (start.kind === "failed" || start.kind === "abandoned") {
    await reportFailedTry(ctx, start.revision, start.kind === "failed");
    return {};
  }
  return { interrupted: await settleInterrupted(ctx) };
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

/** A try that came back: on a board the bootloader fell back; in host mode the agent died. */
async function reportFailedTry(ctx: ApplyContext, revision: string, board: boolean) {
  const ref = (await ctx.store.readTrail(revision))?.ref ?? revision;
  const running = ctx.committed?.ref ?? "nothing";
  await ctx.finish(
    board
      ? {
          revision: ref,
          status: "ERROR",
          reason: "boot_failed",
          message: `tried revision ${ref} did not boot to a commit (kernel failure, hang or reset during its try); the bootloader fell back to ${running} (${bootFacts(ctx)})`,
        }
      : {
          revision: ref,
          status: "ERROR",
          reason: "unexpected_rollback",
          message: `tried revision ${ref} did not commit; booted ${running}`,
        },
  );
}

/** Gives the unfinished apply found at boot its final report, or returns it as interrupted. */
async function settleInterrupted(ctx: ApplyContext): Promise<string | undefined> {
  const last = (await ctx.journal.all()).at(-1);
  const record = await ctx.store.readRecord();
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
