import type { Command } from "commander";
import type { CommandGroup } from "../cli/command-group.js";
import { findWorkdir } from "../workdir/layout.js";
import { listSignatures, type SignatureListing, signWorkdirPart } from "../workdir/signing.js";
import { authoring } from "./authoring-errors.js";
import { trustOptions, trustPolicyFrom } from "./trust-options.js";

const repeat = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** `statecast sign --part P --key KEY` and `statecast sig ls` in a working directory. */
export const registerSignCommands: CommandGroup = (program, ctx) => {
  program
    .command("sign")
    .description("sign a part of the working state into _sigs/<part>.json (added for commit)")
    .requiredOption("--part <name>", "part to sign (container name, bsp, …)")
    .requiredOption("--key <file>", "Ed25519 private key (PEM), e.g. from `statecast keygen`")
    .option(
      "--include <glob>",
      "keys to sign (default <part>/**, _config/<part>/**); repeatable",
      repeat,
    )
    .option(
      "--exclude <glob>",
      "keys to leave out (default <part>/src.json, _sigs/<part>.json); repeatable",
      repeat,
    )
    .addHelpText("after", "\nExample:\n  $ statecast sign --part web --key keys/statecast.key\n")
    .action(
      (
        opts: { part: string; key: string; include?: string[]; exclude?: string[] },
        command: Command,
      ) =>
        authoring(ctx, async () => {
          const wd = await findWorkdir(ctx.io.cwd);
          const privateKeyPem = await ctx.readText(opts.key);
          const sig = await signWorkdirPart(wd, {
            part: opts.part,
            privateKeyPem,
            ...(opts.include ? { include: opts.include, exclude: opts.exclude ?? [] } : {}),
            ...(opts.exclude ? { exclude: opts.exclude } : {}),
          });
          ctx.emit(command, {
            ok: true,
            human: [
              `signed ${sig.covers.length} key(s) of part ${opts.part} into ${sig.path} (key ${sig.keyId})`,
            ],
            data: sig,
          });
        }),
    );

  const sig = program.command("sig").description("signatures of the working state");
  const ls = sig
    .command("ls")
    .description("each signature: its globs, key id and status (exit 1 when one is invalid)")
    .addHelpText("after", "\nExample:\n  $ statecast sig ls --trust keys/statecast.pub\n");
  for (const option of trustOptions()) if (option.long === "--trust") ls.addOption(option);
  ls.action((opts: { trust: string[] }, command: Command) =>
    authoring(ctx, async () => {
      const wd = await findWorkdir(ctx.io.cwd);
      const policy = await trustPolicyFrom(ctx, { trust: opts.trust });
      const signatures = await listSignatures(wd, policy.trusted);
      ctx.emit(command, {
        ok: signatures.every((s) => s.status !== "invalid"),
        human: signatures.length ? signatures.flatMap(describe) : ["no signatures"],
        data: { signatures },
      });
    }),
  );
};

function describe(sig: SignatureListing): string[] {
  return [
    `${sig.path}  ${sig.status}${sig.reason ? ` (${sig.reason})` : ""}`,
    `    alg ${sig.alg ?? "?"}, key ${sig.keyId ?? "?"}`,
    `    include ${sig.include.join(" ")}${sig.exclude.length ? `, exclude ${sig.exclude.join(" ")}` : ""}`,
    `    covers ${sig.covers.length} key(s)`,
  ];
}
