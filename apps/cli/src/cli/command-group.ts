import type { Command } from "commander";
import type { CliContext } from "./context.js";

/** Adds one group of commands (e.g. `state …`) to the program. */
export type CommandGroup = (program: Command, ctx: CliContext) => void;
