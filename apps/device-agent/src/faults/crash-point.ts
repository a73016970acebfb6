import type { Logger } from "../log.js";

/**
 * Replaced by esbuild's `define` when the agent is bundled: `false` in the shipped bundle
 * (`npm run build`), `true` in the test build (`buildAgent(out, { faults: true })`). Unbundled
 * (vitest, tsx) it is undefined and faults are available.
 */
declare const __STATECAST_FAULTS__: boolean | undefined;

/** Whether `--crash-at` exists in this build. */
export const FAULTS_ENABLED: boolean =
  typeof __STATECAST_FAULTS__ === "undefined" || __STATECAST_FAULTS__;

/** Where the agent may SIGKILL itself in crash-safety tests (`--crash-at`). */
export const CRASH_POINTS = [
  "after-download",
  "after-stage-boot",
  "after-begin-try",
  "after-stop",
  "after-first-start",
  "during-testing",
  "after-commit",
  "during-rollback",
] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

/** The crash hook the apply calls at each point: a no-op unless `crashAt` names that point. */
export function crashHook(crashAt: string | undefined, log: Logger): (point: CrashPoint) => void {
  if (!FAULTS_ENABLED || !crashAt) return () => undefined;
  return (point) => {
    if (point !== crashAt) return;
    log.warn("injected crash", { point });
    process.kill(process.pid, "SIGKILL");
  };
}
