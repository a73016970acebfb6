import type { Command } from "commander";
import type { CliContext } from "../cli/context.js";
import { CommandFailed, UsageError } from "../cli/exit-codes.js";
import { authoring } from "../commands/authoring-errors.js";
import { RemoteClient } from "./http-client.js";
import { RemoteConfigError, RemoteHttpError, RemoteUnreachableError } from "./remote-errors.js";
import { type RemoteChoice, resolveRemote } from "./resolve-remote.js";

/** Adds `--remote NAME` to a server-facing command. */
export function remoteOption(command: Command): Command {
  return command.option(
    "--remote <name>",
    "use this remote from `statecast login` (default: current)",
  );
}

/** The client for the remote chosen by `--remote`, the working directory's URL, or the current one. */
export async function connect(ctx: CliContext, choice: RemoteChoice = {}): Promise<RemoteClient> {
  return new RemoteClient(await resolveRemote(ctx.io.env ?? process.env, choice));
}

/**
 * Runs a server-facing command body: working-directory errors as `authoring` maps them, and
 * remote errors (unreachable, token rejected, refused with details) printed readably, exit 1.
 */
export async function remoteCommand(ctx: CliContext, body: () => Promise<void>): Promise<void> {
  try {
    await authoring(ctx, body);
  } catch (error) {
    if (error instanceof RemoteConfigError && error.usage) throw new UsageError(error.message);
    if (
      error instanceof RemoteConfigError ||
      error instanceof RemoteUnreachableError ||
      error instanceof RemoteHttpError
    ) {
      ctx.io.stderr(`statecast: ${error.message}\n`);
      if (error instanceof RemoteHttpError)
        for (const d of error.details) ctx.io.stderr(`  ${d.path}: ${d.message}\n`);
      throw new CommandFailed(error.message);
    }
    throw error;
  }
}
