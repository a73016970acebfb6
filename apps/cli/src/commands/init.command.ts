import type { Command } from "commander";
import type { CommandGroup } from "../cli/command-group.js";
import { initWorkdir } from "../workdir/init.js";
import { authoring } from "./authoring-errors.js";

/** `statecast init [DIR]`: makes a directory a working directory (pvr init). */
export const registerInitCommand: CommandGroup = (program, ctx) => {
  program
    .command("init")
    .description("make a directory a statecast working directory (its files become state paths)")
    .argument("[dir]", "directory to initialise", ".")
    .option("--remote <url>", "orchestrator URL this working directory posts to")
    .option("--fleet <name>", "fleet whose revisions this working directory tracks")
    .addHelpText("after", "\nExample:\n  $ statecast init mydevice --fleet lab\n")
    .action((dir: string, opts: { remote?: string; fleet?: string }, command: Command) =>
      authoring(ctx, async () => {
        const config = { remote: opts.remote ?? null, fleet: opts.fleet ?? null };
        const wd = await initWorkdir(ctx.path(dir), config);
        ctx.emit(command, {
          ok: true,
          human: [`initialised an empty statecast working directory in ${wd.root}`],
          data: { dir: wd.root, ...config },
        });
      }),
    );
};
