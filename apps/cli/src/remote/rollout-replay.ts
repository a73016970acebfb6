import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import type { CliContext } from "../cli/context.js";
import { UsageError } from "../cli/exit-codes.js";
import { connect, remoteCommand, remoteOption } from "./remote-command.js";

type Decision = { at: string; type: string; summary: string };
type Outcome = { status: string; decisions: Decision[] };
export type ReplayView = {
  rolloutId: string;
  recorded: Outcome;
  replayed: Outcome;
  inputs: number;
  refused: { at: string; input: string; message: string }[];
  horizon: string;
};

/** `rollout replay ID --policy FILE`: another gate policy over the recorded history; no writes. */
export function registerReplay(ctx: CliContext, rollout: Command): void {
  remoteOption(
    rollout
      .command("replay")
      .description("replay another gate policy over a rollout's recorded history; writes nothing")
      .argument("<id>", "rollout id")
      .requiredOption(
        "--policy <file>",
        "JSON: {waves?: [{size?, minSample?, soakSeconds?, maxFailures?}], policy?: {onFailure?, onSuccess?}, deviceTimeoutSeconds?}",
      )
      .addHelpText(
        "after",
        '\nExample:\n  $ statecast rollout replay r-1a2b --policy looser.json\n  (looser.json: {"waves":[{"maxFailures":{"count":3}}]})\n',
      ),
  ).action((id: string, opts: { policy: string; remote?: string }, command: Command) =>
    remoteCommand(ctx, async () => {
      const policy = await readPolicy(opts.policy);
      const client = await connect(ctx, { remote: opts.remote });
      const view = await client.json<ReplayView>(
        "POST",
        `/v1/rollouts/${encodeURIComponent(id)}/replay`,
        { json: policy },
      );
      ctx.emit(command, { ok: true, human: replayLines(view), data: view });
    }),
  );
}

async function readPolicy(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new UsageError(`--policy ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--policy ${path}: not JSON: ${(error as Error).message}`);
  }
}

export function replayLines(view: ReplayView): string[] {
  const decisions = (o: Outcome) => o.decisions.map((d) => `  ${d.at}  ${d.summary}`);
  return [
    `rollout ${view.rolloutId}: replayed ${view.inputs} recorded input(s) up to ${view.horizon}; nothing written`,
    `recorded (${view.recorded.status}):`,
    ...decisions(view.recorded),
    `with this policy (${view.replayed.status}):`,
    ...decisions(view.replayed),
    ...view.refused.map((r) => `  ${r.at}  ${r.input} no longer fits: ${r.message}`),
  ];
}
