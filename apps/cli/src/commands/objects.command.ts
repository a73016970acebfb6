import type { ObjectGcResult } from "@statecast/contract/http";
import type { Command } from "commander";
import type { CommandGroup } from "../cli/command-group.js";
import { connect, remoteCommand, remoteOption } from "../remote/remote-command.js";

function collectedLines(view: ObjectGcResult): string[] {
  const verb = view.dryRun ? "would remove" : "removed";
  return [
    `${verb} ${view.removed} objects (${view.bytes} bytes) no revision references`,
    `kept ${view.referenced} referenced, ${view.fresh} younger than the ${view.graceSeconds} s grace; ${view.examined} examined`,
    ...view.objects.map((sha) => `  ${sha}`),
  ];
}

/** `objects gc`: the orchestrator's object store. */
export const registerObjectsCommands: CommandGroup = (program, ctx) => {
  const objects = program.command("objects").description("the orchestrator's object store");
  remoteOption(
    objects
      .command("gc")
      .description(
        "remove objects no revision references, older than the grace period (operator; recorded as an event)",
      )
      .option("--dry-run", "say what would be removed, remove nothing")
      .addHelpText(
        "after",
        "\nExamples:\n  $ statecast objects gc --dry-run\n  $ statecast --json objects gc | jq .bytes\n",
      ),
  ).action((opts: { dryRun?: boolean; remote?: string }, command: Command) =>
    remoteCommand(ctx, async () => {
      const client = await connect(ctx, { remote: opts.remote });
      const view = await client.json<ObjectGcResult>("POST", "/v1/objects/gc", {
        json: { dryRun: opts.dryRun === true },
      });
      ctx.emit(command, { ok: true, human: collectedLines(view), data: view });
    }),
  );
};
