import { formatRevision } from "@statecast/contract";
import type { Command } from "commander";
import type { CommandGroup } from "../cli/command-group.js";
import { UsageError } from "../cli/exit-codes.js";
import { cloneRevision, parseFleetRef } from "../remote/clone.js";
import { postWorkdir } from "../remote/post.js";
import { formatBytes, TransferProgress } from "../remote/progress.js";
import { connect, remoteCommand, remoteOption } from "../remote/remote-command.js";
import { findWorkdir, type Workdir } from "../workdir/layout.js";
import { readConfig, readLog } from "../workdir/meta.js";

/** `clone FLEET[@REV] [DIR]` and `post [-m]`: working directories and the orchestrator. */
export const registerRemoteWorkdirCommands: CommandGroup = (program, ctx) => {
  const meter =
    (verb: string) =>
    (objects: number, bytes = 0) =>
      new TransferProgress((t) => ctx.io.stderr(t), ctx.io.isTTY ?? false, verb, objects, bytes);

  remoteOption(
    program
      .command("clone")
      .description("a new working directory from a fleet's revision (the latest by default)")
      .argument("<fleet>", "FLEET or FLEET@REVISION")
      .argument("[dir]", "directory to create (default: the fleet's name)")
      .addHelpText(
        "after",
        "\nExamples:\n  $ statecast clone lab\n  $ statecast clone lab@3 lab-r3\n",
      ),
  ).action((ref: string, dir: string | undefined, opts: { remote?: string }, command: Command) =>
    remoteCommand(ctx, async () => {
      const parsed = parseFleetRef(ref);
      const client = await connect(ctx, { remote: opts.remote });
      const result = await cloneRevision(
        client,
        parsed,
        ctx.path(dir ?? parsed.fleet),
        meter("download"),
      );
      ctx.emit(command, {
        ok: true,
        human: [
          `cloned ${formatRevision({ fleet: result.fleet, number: result.revision })} into ${result.dir}: ${result.files} file(s), ${result.objects} object(s)`,
        ],
        data: result,
      });
    }),
  );

  remoteOption(
    program
      .command("post")
      .description(
        "upload the objects the server lacks, then post the committed state as a revision",
      )
      .option("-m, --message <text>", "revision message (default: the last commit's)")
      .option("--fleet <name>", "fleet to post to (default: the one this directory tracks)")
      .addHelpText("after", '\nExample:\n  $ statecast post -m "web: new image"\n  posted lab#4\n'),
  ).action((opts: { message?: string; fleet?: string; remote?: string }, command: Command) =>
    remoteCommand(ctx, async () => {
      const wd = await findWorkdir(ctx.io.cwd);
      const config = await readConfig(wd);
      const fleet = opts.fleet ?? config.fleet;
      if (!fleet)
        throw new UsageError(
          "this working directory tracks no fleet: give --fleet NAME (or `statecast init --fleet NAME`)",
        );
      const client = await connect(
        ctx,
        opts.remote ? { remote: opts.remote } : { url: config.remote },
      );
      const message = opts.message ?? (await lastMessage(wd));
      const result = await postWorkdir(client, wd, fleet, message, meter("upload"));
      ctx.emit(command, {
        ok: true,
        human: [
          `uploaded ${result.uploaded} of ${result.objects} object(s) (${formatBytes(result.uploadedBytes)})`,
          `posted ${formatRevision({ fleet: result.fleet, number: result.revision })}`,
        ],
        data: result,
      });
    }),
  );
};

async function lastMessage(wd: Workdir): Promise<string> {
  return (await readLog(wd)).at(-1)?.message ?? "";
}
