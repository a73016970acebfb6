import { parseState, type State, type StateModel } from "@statecast/state";
import type { Command } from "commander";
import type { CliContext } from "../cli/context.js";

/** Reads and validates a state file; prints every issue and fails (exit 1) when invalid. */
export async function loadStateFile(
  ctx: CliContext,
  command: Command,
  file: string,
): Promise<{ state: State; model: StateModel }> {
  const { state, errors, model } = parseState(await ctx.readText(file));
  if (state && model && errors.length === 0) return { state, model };
  ctx.emit(command, {
    ok: false,
    human: [
      `${file}: invalid state (${errors.length} issue${errors.length === 1 ? "" : "s"})`,
      ...errors.map((e) => `  ${e.key || "(state)"}: ${e.reason}`),
    ],
    data: { file, valid: false, errors },
  });
  throw new Error("unreachable: emit fails for ok=false");
}
