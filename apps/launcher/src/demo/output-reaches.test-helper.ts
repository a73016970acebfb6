import type { LauncherRun } from "../launcher.test-helper.js";

/** Waits for `text` in the launcher's output; fails early when it exits or the demo fails. */
export async function outputReaches(
  run: LauncherRun,
  text: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!run.output().includes(text)) {
    if (run.child.exitCode !== null)
      throw new Error(`launcher exited before "${text}":\n${run.output()}`);
    if (run.output().includes("[demo] failed"))
      throw new Error(`the demo failed:\n${run.output()}`);
    if (Date.now() > deadline)
      throw new Error(`no "${text}" after ${timeoutMs} ms:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
