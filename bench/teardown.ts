import { rmSync } from "node:fs";
import { killTree, processTree } from "./process-tree.js";

type Step = {
  name: string;
  stop: () => Promise<unknown> | unknown;
  /** Processes to kill at exit if `stop` never ran (e.g. the bench died of an exception). */
  pids: () => Array<number | undefined>;
};

export interface Teardown {
  /**
   * Registers what to stop; steps run last-added first. `pids` are the processes behind it:
   * whatever of them and of their descendants is still running after `stop` is SIGKILLed, and
   * all of them synchronously at exit when the bench ends before the step could run.
   */
  add(
    name: string,
    stop: () => Promise<unknown> | unknown,
    pids?: () => Array<number | undefined>,
  ): void;
  /** A directory removed after every step (and synchronously at exit). */
  removeAtEnd(dir: string): void;
  /** Runs every step not yet run, once; a step's failure is logged and the others still run. */
  run(): Promise<void>;
}

const STEP_TIMEOUT_MS = 20_000;

/**
 * What a bench started, stopped on every way out: the normal end (call `run` in `finally`), an
 * error, SIGINT/SIGTERM/SIGHUP, an uncaught exception or unhandled rejection (each stops
 * everything, then exits non-zero), and as a last resort the `exit` event, which kills the
 * processes of the steps that never ran. Install one per bench, before it starts anything.
 */
export function benchTeardown(log: (line: string) => void): Teardown {
  const steps: Step[] = [];
  const dirs: string[] = [];
  let running: Promise<void> | undefined;
  let current: Step | undefined;
  const removeDirs = () => {
    for (const dir of dirs.splice(0))
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  };
  const run = () => {
    running ??= (async () => {
      for (let step = steps.pop(); step; step = steps.pop()) {
        current = step;
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error("timed out")), STEP_TIMEOUT_MS);
        });
        // Taken before `stop`: a child whose parent stopped is reparented and out of reach.
        const tree = processTree(step.pids());
        try {
          await Promise.race([Promise.resolve().then(step.stop), timeout]);
        } catch (error) {
          log(`teardown: stopping ${step.name} failed: ${(error as Error).message}; killing it`);
        } finally {
          killTree([...tree, ...processTree(step.pids())]);
          clearTimeout(timer);
          current = undefined;
        }
      }
      removeDirs();
    })();
    return running;
  };
  let failing = false;
  const fail = (why: string, code: number) => {
    if (failing) {
      log(`${why}: already stopping`);
      return;
    }
    failing = true;
    log(`${why}: stopping everything this bench started`);
    void run().finally(() => process.exit(code));
  };
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
  ] as const) {
    process.removeAllListeners(signal);
    // Kept for every signal, not once: a second SIGINT (a runner such as the tsx CLI passes one
    // on, an impatient Ctrl-C) would otherwise end the bench mid-teardown, leaving the rest.
    process.on(signal, () => fail(signal, code));
  }
  process.on("uncaughtException", (error) => fail(`uncaught: ${error.stack ?? error}`, 1));
  process.on("unhandledRejection", (error) =>
    fail(`unhandled rejection: ${(error as Error)?.stack ?? String(error)}`, 1),
  );
  process.on("exit", () => {
    for (const step of [...steps.splice(0), ...(current ? [current] : [])]) killNow(step);
    removeDirs();
  });
  return {
    add: (name, stop, pids = () => []) => {
      steps.push({ name, stop, pids });
    },
    removeAtEnd: (dir) => {
      dirs.push(dir);
    },
    run,
  };
}

function killNow(step: Step): void {
  killTree(processTree(step.pids()));
}
