import { canonicalJson, signPart } from "@statecast/state";
import type { Command } from "commander";
import type { CliContext } from "../cli/context.js";
import { loadStateFile } from "./load-state.js";

/** Options of `state sign`. */
export interface SignOptions {
  key: string;
  part: string;
  include?: string[];
  exclude?: string[];
  out?: string;
}

/** `state sign`: adds `_sigs/<part>.json` and writes the canonical signed state. */
export async function signAction(
  ctx: CliContext,
  command: Command,
  file: string,
  opts: SignOptions,
): Promise<void> {
  const privateKey = await ctx.readText(opts.key);
  const { state } = await loadStateFile(ctx, command, file);
  const signed = signPart(state, {
    part: opts.part,
    privateKey,
    ...(opts.include ? { include: opts.include } : {}),
    ...(opts.exclude ? { exclude: opts.exclude } : {}),
  });
  const out = opts.out ?? file;
  await ctx.writeFileAtomic(out, `${canonicalJson(signed)}\n`);
  const sigKey = `_sigs/${opts.part}.json`;
  ctx.emit(command, {
    ok: true,
    human: [`signed part ${opts.part} as ${sigKey}; wrote ${out}`],
    data: { signature: sigKey, file: out },
  });
}
