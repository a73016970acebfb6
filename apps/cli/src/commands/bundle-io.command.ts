import type { Command } from "commander";
import type { CommandGroup } from "../cli/command-group.js";
import { exportBundle, importBundle } from "../workdir/bundle-io.js";
import { findWorkdir } from "../workdir/layout.js";
import { authoring } from "./authoring-errors.js";

/** `statecast export FILE` and `statecast import FILE [DIR]`: offline pvr bundles. */
export const registerBundleIoCommands: CommandGroup = (program, ctx) => {
  program
    .command("export")
    .description("write the committed state and its objects as a pvr bundle (.tgz/.tar.gz gzipped)")
    .argument("<file>", "bundle to write")
    .option("--parts <names>", "only these parts, comma-separated (e.g. bsp,web)")
    .option(
      "--delta-from <rev>",
      "for devices running REV (a digest from `statecast log`): carry xdelta3 deltas from its objects instead of the objects they replace",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  $ statecast export device.tgz\n  $ statecast export --parts web,db apps.tar\n  $ statecast export --delta-from 3f2a9c update.tgz\n",
    )
    .action((file: string, opts: { parts?: string; deltaFrom?: string }, command: Command) =>
      authoring(ctx, async () => {
        const wd = await findWorkdir(ctx.io.cwd);
        const parts = opts.parts
          ? opts.parts
              .split(",")
              .map((p) => p.trim())
              .filter(Boolean)
          : null;
        const result = await exportBundle(wd, ctx.path(file), parts, opts.deltaFrom);
        ctx.emit(command, {
          ok: true,
          human: [
            `exported ${result.digest.slice(0, 12)} to ${file}: ${result.keys} keys, ${result.objects} objects (${result.objectBytes} bytes)${result.deltas !== undefined ? `, ${result.deltas} of them deltas` : ""}`,
          ],
          data: result,
        });
      }),
    );

  program
    .command("import")
    .description("create a working directory from a pvr bundle (every object hash-checked)")
    .argument("<file>", "bundle (.tar, .tgz)")
    .argument("[dir]", "new or empty directory (default: the bundle's name)")
    .addHelpText("after", "\nExample:\n  $ statecast import pvwificonnect.tgz mydevice\n")
    .action((file: string, dir: string | undefined, _opts, command: Command) =>
      authoring(ctx, async () => {
        const target = dir ?? file.replace(/^.*\//, "").replace(/\.(tgz|tar\.gz|tar)$/, "");
        const result = await importBundle(ctx.path(file), ctx.path(target));
        ctx.emit(command, {
          ok: true,
          human: [
            `imported ${file} into ${result.dir}: ${result.keys} keys, ${result.objects} objects, ${result.files} files`,
          ],
          data: result,
        });
      }),
    );
};
