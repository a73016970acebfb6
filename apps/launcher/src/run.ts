// The launcher proper, in its own process group (see main.ts): starts everything, stops it in order.
import { setTimeout as sleep } from "node:timers/promises";
import { ConfigError } from "@statecast/platform/config";
import { type LauncherConfig, loadLauncherConfig } from "./config/launcher.config.js";
import { type DemoConfig, type DemoFleet, loadDemoConfig, startDemo } from "./demo/index.js";
import { launch } from "./launch.js";
import { terminalOutput } from "./terminal-output.js";

const DEMO_STOP_MS = 20_000;
// Nobody reads our output any more (the `tee` we were piped into died): stop as on a Ctrl-C.
const output = terminalOutput((stream) => void shutdown(`${stream} closed by its reader`, 0));
const print = output.print;

function fail(message: string): never {
  output.printError(`statecast: ${message}\n`);
  process.exit(1);
}

let config: LauncherConfig;
let demoConfig: DemoConfig;
try {
  config = loadLauncherConfig(process.env, process.cwd());
  demoConfig = loadDemoConfig(process.env);
} catch (err) {
  if (err instanceof ConfigError) fail(err.message);
  throw err;
}

const launching = launch(config, { env: process.env, print });
let stopping = false;
let demo: DemoFleet | undefined;

/** Waits for a start in progress, then stops everything in order and exits. */
async function shutdown(reason: string, exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  print(`[launcher] ${reason}: stopping the services, then NATS, then Postgres`);
  const launched = await launching.catch(() => undefined);
  // The demo waits for its rollout's current step; when the services are already gone (they
  // died, which is why we stop) that wait must not hold up stopping NATS and Postgres.
  const demoStopped = demo?.stop().then(() => true);
  if (demoStopped && !(await Promise.race([demoStopped, sleep(DEMO_STOP_MS, false)]))) {
    print(`[launcher] the demo fleet did not stop within ${DEMO_STOP_MS / 1000} s; going on`);
  }
  await launched?.stop();
  print("[launcher] stopped");
  process.exit(exitCode);
}

// The launcher owns the stopping order (services, NATS, then Postgres): no other handler may exit
// the process first on these signals.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.removeAllListeners(signal);
  process.on(signal, () => {
    if (stopping) print(`[launcher] ${signal} again: still stopping, please wait`);
    void shutdown(`${signal} received`, 0);
  });
}

// `npm start` itself (main.ts) gone, even by SIGKILL: nobody is left to forward a Ctrl-C, so stop.
if (process.send) {
  process.channel?.unref();
  process.on("disconnect", () => void shutdown("the npm start process is gone", 1));
}

// A bug in the launcher itself must not leave Postgres, NATS or the services running.
process.on("uncaughtException", (err) => {
  output.printError(`statecast: launcher failed: ${err.stack ?? err.message}\n`);
  void shutdown("launcher failure", 1);
});

launching.then(
  (launched) => {
    if (!stopping) demo = startDemo(config, demoConfig, process.env, print);
    return launched.serviceExit.then((what) => shutdown(what, 1));
  },
  (err: unknown) => {
    if (!stopping) fail(`start-up failed: ${(err as Error).message}`);
  },
);
