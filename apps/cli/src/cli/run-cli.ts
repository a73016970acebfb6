import { StateValidationError } from "@statecast/state";
import { Command, CommanderError } from "commander";
import { COMMAND_GROUPS } from "../commands/index.js";
import { CliContext } from "./context.js";
import { CommandFailed, EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from "./exit-codes.js";
import { type CliIo, processIo } from "./io.js";

function buildProgram(ctx: CliContext): Command {
  const program = new Command("statecast")
    .description("Statecast: signed, content-addressed state revisions for device fleets")
    .option("--json", "print machine-readable JSON instead of text")
    .exitOverride()
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => ctx.io.stdout(s), writeErr: (s) => ctx.io.stderr(s) });
  for (const register of COMMAND_GROUPS) register(program, ctx);
  return program;
}

function errorExit(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  if (error instanceof CommandFailed) return EXIT_FAILED;
  if (error instanceof UsageError) {
    io.stderr(`statecast: ${error.message}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof StateValidationError) {
    io.stderr(`statecast: ${error.message}\n`);
    return EXIT_FAILED;
  }
  io.stderr(
    `statecast: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  return EXIT_FAILED;
}

/** Runs the CLI on `argv` (without node and script) and resolves to the exit code. */
export async function run(argv: string[], io: CliIo = processIo()): Promise<number> {
  const ctx = new CliContext(io);
  try {
    await buildProgram(ctx).parseAsync(argv, { from: "user" });
    return EXIT_OK;
  } catch (error) {
    return errorExit(error, io);
  }
}
