// `npm start` entry. A Ctrl-C at the terminal signals the whole foreground process group, which
// would stop Postgres and nats-server while the services are still draining. So the launcher
// proper (run.js) runs in a process group of its own, with everything it starts; this small
// foreground process only forwards the signals to it and exits with its exit code.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const launcher = spawn(
  process.execPath,
  [fileURLToPath(new URL("./run.js", import.meta.url)), ...process.argv.slice(2)],
  // The IPC channel closes when this process dies, however it dies (a SIGKILL included), and
  // the launcher then stops what it started instead of running on, orphaned, in its own group.
  { stdio: ["inherit", "inherit", "inherit", "ipc"], detached: true },
);

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => launcher.kill(signal));
}

launcher.on("exit", (code, signal) => {
  process.exit(code ?? (signal ? 1 : 0));
});
