import type { Logger } from "../log.js";
import { run } from "../runtime/exec.js";

/** Runs the board's reboot command; on a board it does not come back, in tests it may. */
export async function reboot(command: string[], why: string, log: Logger): Promise<void> {
  const [bin, ...args] = command;
  if (!bin) throw new Error("no reboot command configured");
  log.warn("rebooting", { why, command: command.join(" ") });
  const result = await run(bin, args, 60_000);
  if (result.code !== 0)
    log.error("reboot command failed", { code: result.code, stderr: result.stderr.trim() });
}
