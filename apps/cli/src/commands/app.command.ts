import type { Command } from "commander";
import type { CommandGroup } from "../cli/command-group.js";
import { UsageError } from "../cli/exit-codes.js";
import { addApp } from "../oci/app-add.js";
import { withAbsolutePath } from "../oci/image-ref.js";
import { add } from "../workdir/add.js";
import { findWorkdir } from "../workdir/layout.js";
import { authoring } from "./authoring-errors.js";

interface AppAddOptions {
  from: string;
  group?: string;
  statusGoal?: string;
  restartPolicy?: string;
  volume: string[];
  connectTimeout: string;
}

const EXAMPLES = `
Examples:
  $ statecast app add web --from docker://127.0.0.1:5000/demo/web:1.2
  $ statecast app add web --from oci:./layout:1.2 --group platform --status-goal READY
  $ statecast app add db --from docker-archive:db.tar --volume /var/lib/db:permanent
`;

/** `statecast app add NAME --from REF`: an OCI/Docker image as an LXC container part. */
export const registerAppCommands: CommandGroup = (program, ctx) => {
  const app = program.command("app").description("containers built from OCI/Docker images");
  app
    .command("add")
    .description(
      "turn an image into NAME/{root.squashfs,lxc.container.conf,run.json,src.json} and add them",
    )
    .argument("<name>", "container (part) name")
    .requiredOption(
      "--from <ref>",
      "docker://HOST/REPO[:TAG], oci:DIR[:TAG] or docker-archive:FILE",
    )
    .option("--group <group>", "start-up group (default app)")
    .option("--status-goal <goal>", "MOUNTED, STARTED or READY (default STARTED)")
    .option("--restart-policy <policy>", "system or container (default container)")
    .option(
      "--volume <path[:persistence]>",
      "persistent directory in the container (permanent, revision or boot); repeatable",
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .option("--connect-timeout <ms>", "how long to wait for a registry to answer", "3000")
    .addHelpText("after", EXAMPLES)
    .action((name: string, opts: AppAddOptions, command: Command) =>
      authoring(ctx, async () => {
        const connectTimeoutMs = Number(opts.connectTimeout);
        if (!Number.isInteger(connectTimeoutMs) || connectTimeoutMs <= 0)
          throw new UsageError(`--connect-timeout ${opts.connectTimeout}: give milliseconds`);
        const wd = await findWorkdir(ctx.io.cwd);
        ctx.io.stderr(`fetching ${opts.from} …\n`);
        const result = await addApp({
          dir: wd.root,
          name,
          from: withAbsolutePath(opts.from, (path) => ctx.path(path)),
          volume: opts.volume,
          connectTimeoutMs,
          ...(opts.group ? { group: opts.group } : {}),
          ...(opts.statusGoal ? { statusGoal: opts.statusGoal } : {}),
          ...(opts.restartPolicy ? { restartPolicy: opts.restartPolicy } : {}),
        });
        await add(wd, result.paths);
        ctx.emit(command, {
          ok: true,
          human: [
            `added container ${result.name} from ${opts.from} (${result.sourceDigest})`,
            `  ${result.name}/${result.rootVolume}: ${result.rootSize} bytes, sha256 ${result.rootSha256}`,
            ...result.paths.slice(1).map((p) => `  ${p}`),
            `commit with: statecast commit -m "add ${result.name}"`,
          ],
          data: result,
        });
      }),
    );
};
