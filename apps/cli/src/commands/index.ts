import type { CommandGroup } from "../cli/command-group.js";
import { registerBundleCommands } from "./bundle.command.js";
import { registerKeygenCommand } from "./keygen.command.js";
import { registerStateCommands } from "./state.command.js";

/** Every command group of `statecast`; adding a group is one line here. */
export const COMMAND_GROUPS: CommandGroup[] = [
  registerStateCommands,
  registerBundleCommands,
  registerKeygenCommand,
];
