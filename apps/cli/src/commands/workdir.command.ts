import { relative, sep } from "node:path";
import { canonicalJson } from "@statecast/state";
import type { Command } from "commander";
import type { CommandGroup } from "../cli/command-group.js";
import type { CliContext } from "../cli/context.js";
import { add } from "../workdir/add.js";
import { checkout } from "../workdir/checkout.js";
import { commit } from "../workdir/commit.js";
import { diffWorkdir, type PathDiff } from "../workdir/diff.js";
import { findWorkdir, type Workdir } from "../workdir/layout.js";
import { readLog } from "../workdir/meta.js";
import { workdirStatus } from "../workdir/status.js";
import { WorkdirError } from "../workdir/workdir-error.js";
import { authoring } from "./authoring-errors.js";

const MARK = { added: "A", modified: "M", deleted: "D", untracked: "?" } as const;

/** `status`, `diff`, `add`, `commit`, `checkout`, `log`: pvr-style authoring. */
export const registerWorkdirCommands: CommandGroup = (program, ctx) => {
  program
    .command("status")
    .description("paths added (A), modified (M), deleted (D) since the last commit, untracked (?)")
    .addHelpText("after", "\nExample:\n  $ statecast status\n  M  web/run.json\n")
    .action((_opts, command: Command) =>
      authoring(ctx, async () => {
        const { changes } = await workdirStatus(await findWorkdir(ctx.io.cwd));
        const human = changes.map((c) => `${MARK[c.change]}  ${c.path}`);
        ctx.emit(command, {
          ok: true,
          human: human.length ? human : ["nothing changed since the last commit"],
          data: { changes },
        });
      }),
    );

  program
    .command("diff")
    .description("per-path differences from the last commit (JSON files as JSON changes)")
    .argument("[paths...]", "limit to these files or directories")
    .addHelpText("after", "\nExample:\n  $ statecast diff web/run.json\n")
    .action((paths: string[], _opts, command: Command) =>
      authoring(ctx, async () => {
        const wd = await findWorkdir(ctx.io.cwd);
        const diffs = await diffWorkdir(wd, workdirPaths(ctx, wd, paths));
        ctx.emit(command, {
          ok: true,
          human: diffs.length ? diffs.flatMap(describeDiff) : ["no differences"],
          data: { diffs },
        });
      }),
    );

  program
    .command("add")
    .description("mark untracked files for the next commit (all of them when no path is given)")
    .argument("[paths...]", "files or directories to add")
    .addHelpText("after", "\nExample:\n  $ statecast add web/\n")
    .action((paths: string[], _opts, command: Command) =>
      authoring(ctx, async () => {
        const wd = await findWorkdir(ctx.io.cwd);
        const added = await add(wd, workdirPaths(ctx, wd, paths));
        ctx.emit(command, {
          ok: true,
          human: added.length ? added.map((p) => `A  ${p}`) : ["nothing new to add"],
          data: { added },
        });
      }),
    );

  program
    .command("commit")
    .description("record tracked and added files as the new committed state")
    .requiredOption("-m, --message <text>", "what changed")
    .addHelpText("after", '\nExample:\n  $ statecast commit -m "web: new image"\n')
    .action((opts: { message: string }, command: Command) =>
      authoring(ctx, async () => {
        const result = await commit(await findWorkdir(ctx.io.cwd), opts.message);
        ctx.emit(command, {
          ok: true,
          human: [
            `committed ${result.digest.slice(0, 12)}: ${result.changes.length} path(s), ${result.objectsStored} new object(s)`,
          ],
          data: result,
        });
      }),
    );

  program
    .command("checkout")
    .description("restore the working tree from the last commit, or from an earlier one")
    .argument("[rev]", "digest (or unique prefix) of a committed state; see `statecast log`")
    .option("-f, --force", "discard uncommitted changes")
    .addHelpText(
      "after",
      "\nExamples:\n  $ statecast checkout --force\n  $ statecast checkout 3fa2c1d9\n",
    )
    .action((rev: string | undefined, opts: { force?: boolean }, command: Command) =>
      authoring(ctx, async () => {
        const wd = await findWorkdir(ctx.io.cwd);
        const result = await checkout(wd, { ...(rev ? { rev } : {}), force: opts.force ?? false });
        ctx.emit(command, {
          ok: true,
          human: [
            `at ${result.digest.slice(0, 12)}: ${result.written.length} file(s) written, ${result.removed.length} removed`,
          ],
          data: result,
        });
      }),
    );

  program
    .command("log")
    .description("the local commits of this working directory, newest first")
    .addHelpText("after", "\nExample:\n  $ statecast log\n")
    .action((_opts, command: Command) =>
      authoring(ctx, async () => {
        const commits = (await readLog(await findWorkdir(ctx.io.cwd))).reverse();
        ctx.emit(command, {
          ok: true,
          human: commits.map((e) => `${e.digest.slice(0, 12)}  ${e.at}  ${e.message}`),
          data: { commits },
        });
      }),
    );
};

/** Command-line paths (relative to the current directory) as working-directory paths. */
export function workdirPaths(ctx: CliContext, wd: Workdir, paths: string[]): string[] {
  return paths.map((path) => {
    const rel = relative(wd.root, ctx.path(path)).split(sep).join("/");
    if (rel === ".." || rel.startsWith("../"))
      throw new WorkdirError("outside_workdir", `${path} is outside ${wd.root}`, true);
    return rel === "" ? "." : rel;
  });
}

function describeDiff(diff: PathDiff): string[] {
  const head = `${MARK[diff.change]}  ${diff.path}`;
  if (diff.kind === "object") {
    const size = diff.afterSize === null ? "" : ` (${diff.afterSize} bytes)`;
    return [head, `    object ${short(diff.before)} → ${short(diff.after)}${size}`];
  }
  return [
    head,
    ...diff.changes.map((c) => {
      const where = c.pointer || "(whole file)";
      if (c.op === "add") return `    + ${where}: ${text(c.after)}`;
      if (c.op === "remove") return `    - ${where}: ${text(c.before)}`;
      return `    ~ ${where}: ${text(c.before)} → ${text(c.after)}`;
    }),
  ];
}

function short(sha: string | null): string {
  return sha ? sha.slice(0, 12) : "(none)";
}

function text(value: unknown): string {
  const json = canonicalJson(value);
  return json.length > 120 ? `${json.slice(0, 117)}...` : json;
}
