import { canonicalJson, diffStates, parseState, stateDigest, verifyState } from "@statecast/state";
import type { Command } from "commander";
import type { CommandGroup } from "../cli/command-group.js";
import type { CliContext } from "../cli/context.js";
import { diffLines } from "./diff-output.js";
import { loadStateFile } from "./load-state.js";
import { signAction } from "./sign.action.js";
import { trustOptions, trustPolicyFrom } from "./trust-options.js";
import { verifyReportLines } from "./verify-output.js";

async function validate(ctx: CliContext, file: string, command: Command) {
  const { state, errors, model } = parseState(await ctx.readText(file));
  if (!state || !model || errors.length > 0) {
    await loadStateFile(ctx, command, file);
    return;
  }
  const containers = model.parts.filter((p) => p.kind === "container").map((p) => p.name);
  ctx.emit(command, {
    ok: true,
    human: [
      `${file}: valid state, ${Object.keys(state).length} keys, ${model.objects.length} objects, ${model.signatures.length} signatures`,
      `  containers: ${containers.join(", ") || "none"}`,
    ],
    data: {
      file,
      valid: true,
      errors: [],
      digest: stateDigest(state),
      parts: model.parts.map((p) => ({ name: p.name, kind: p.kind })),
      objects: model.objects,
      signatures: model.signatures,
    },
  });
}

/** `statecast state …`: validate, canonical, digest, diff, verify, sign. */
export const registerStateCommands: CommandGroup = (program, ctx) => {
  const state = program.command("state").description("inspect, verify and sign state revisions");

  state
    .command("validate <file>")
    .description("check a state; every issue is listed with its key")
    .action((file: string, _opts, command: Command) => validate(ctx, file, command));

  state
    .command("canonical <file>")
    .description("print the canonical JSON of a state")
    .action(async (file: string, _opts, command: Command) => {
      const { state: s } = await loadStateFile(ctx, command, file);
      const canonical = canonicalJson(s);
      ctx.emit(command, {
        ok: true,
        human: [canonical],
        data: { canonical, digest: stateDigest(s) },
      });
    });

  state
    .command("digest <file>")
    .description("print the state digest (sha256 of the canonical JSON)")
    .action(async (file: string, _opts, command: Command) => {
      const { state: s } = await loadStateFile(ctx, command, file);
      const digest = stateDigest(s);
      ctx.emit(command, { ok: true, human: [digest], data: { digest } });
    });

  state
    .command("diff <a> <b>")
    .description("compare two states: parts, objects, and whether the update needs a reboot")
    .action(async (a: string, b: string, _opts, command: Command) => {
      const before = await loadStateFile(ctx, command, a);
      const after = await loadStateFile(ctx, command, b);
      const diff = diffStates(before.state, after.state);
      ctx.emit(command, { ok: true, human: diffLines(a, b, diff), data: diff });
    });

  const verify = state
    .command("verify <file>")
    .description("verify the state's signatures (exit 1 when not verified)");
  for (const option of trustOptions()) verify.addOption(option);
  verify.action(
    async (file: string, opts: { trust: string[]; strict?: boolean }, command: Command) => {
      const policy = await trustPolicyFrom(ctx, opts);
      const { state: s } = await loadStateFile(ctx, command, file);
      const report = verifyState(s, policy);
      ctx.emit(command, { ok: report.ok, human: verifyReportLines(file, report), data: report });
    },
  );

  state
    .command("sign <file>")
    .description("sign a part with an Ed25519 key (pvs@2, EdDSA) and write the signed state")
    .requiredOption("--key <pem>", "Ed25519 private key (PEM, from `statecast keygen`)")
    .requiredOption("--part <name>", "part to sign (selects <part>/** and _config/<part>/**)")
    .option("--include <glob...>", "override the keys to sign")
    .option("--exclude <glob...>", "override the keys to leave out")
    .option("--out <file>", "where to write the signed state (default: replace <file>)")
    .action((file: string, opts, command: Command) => signAction(ctx, command, file, opts));
};
