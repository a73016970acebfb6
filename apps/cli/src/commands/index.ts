import type { CommandGroup } from "../cli/command-group.js";
import { registerAppCommands } from "./app.command.js";
import { registerAuditCommand } from "./audit.command.js";
import { registerBoardCommands } from "./board.command.js";
import { registerBundleCommands } from "./bundle.command.js";
import { registerBundleIoCommands } from "./bundle-io.command.js";
import { registerCompletionCommand } from "./completion.command.js";
import { registerDevicesCommands } from "./devices.command.js";
import { registerFleetCommands } from "./fleet.command.js";
import { registerInitCommand } from "./init.command.js";
import { registerKeygenCommand } from "./keygen.command.js";
import { registerLoginCommands } from "./login.command.js";
import { registerLogsCommand } from "./logs.command.js";
import { registerObjectsCommands } from "./objects.command.js";
import { registerRemoteWorkdirCommands } from "./remote-workdir.command.js";
import { registerRolloutCommands } from "./rollout.command.js";
import { registerSignCommands } from "./sign.command.js";
import { registerStateCommands } from "./state.command.js";
import { registerWorkdirCommands } from "./workdir.command.js";

/** Every command group of `statecast`; adding a group is one line here. */
export const COMMAND_GROUPS: CommandGroup[] = [
  registerStateCommands,
  registerBundleCommands,
  registerKeygenCommand,
  registerInitCommand,
  registerWorkdirCommands,
  registerAppCommands,
  registerSignCommands,
  registerBundleIoCommands,
  registerLoginCommands,
  registerRemoteWorkdirCommands,
  registerDevicesCommands,
  registerLogsCommand,
  registerFleetCommands,
  registerAuditCommand,
  registerObjectsCommands,
  registerRolloutCommands,
  registerCompletionCommand,
  registerBoardCommands,
];
