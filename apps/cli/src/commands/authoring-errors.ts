import { StateValidationError } from "@statecast/state";
import type { CliContext } from "../cli/context.js";
import { CommandFailed, UsageError } from "../cli/exit-codes.js";
import { AppSpecError } from "../oci/app-spec.js";
import { ImageLayoutError } from "../oci/image-config.js";
import { ImageRefError } from "../oci/image-ref.js";
import { ImageUserError } from "../oci/image-user.js";
import { LxcConfigError } from "../oci/lxc-config.js";
import { RegistryUnreachableError } from "../oci/reachability.js";
import { ToolError } from "../oci/run-tool.js";
import { WorkdirError } from "../workdir/workdir-error.js";

const FAILURES = [
  ImageLayoutError,
  ImageUserError,
  LxcConfigError,
  RegistryUnreachableError,
  ToolError,
  WorkdirError,
];

/**
 * Runs an authoring command body, mapping its errors onto the CLI's exit codes: wrong input
 * on the command line → UsageError (2); a failed operation → message on stderr, exit 1.
 */
export async function authoring(ctx: CliContext, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (
      (error instanceof WorkdirError && error.usage) ||
      error instanceof AppSpecError ||
      error instanceof ImageRefError
    )
      throw new UsageError(error.message);
    if (FAILURES.some((kind) => error instanceof kind) || error instanceof StateValidationError) {
      const message = (error as Error).message;
      ctx.io.stderr(`statecast: ${message}\n`);
      throw new CommandFailed(message);
    }
    throw error;
  }
}
