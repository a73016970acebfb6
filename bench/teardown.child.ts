// Run by teardown.unit.spec.ts: starts a long-lived process the way a bench starts its services
// (a shell with a child of its own, as Postgres has its backends), prints both pids, then ends
// the way argv[2] says (normal, throw, reject, signal, exit).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { benchTeardown } from "./teardown.js";

const how = process.argv[2];
const teardown = benchTeardown((line) => process.stderr.write(`${line}\n`));
// The shell ends on SIGTERM and leaves its background `sleep` running: only a tree kill stops it.
const service = spawn("sh", ["-c", "sleep 1000 & echo $!; wait"], {
  stdio: ["ignore", "pipe", "ignore"],
});
const exited = once(service, "exit");
const [grandchild] = (await once(service.stdout, "data")) as [Buffer];
teardown.add(
  "sleep",
  async () => {
    service.kill("SIGTERM");
    await exited;
  },
  () => [service.pid],
);
// Stopped first (added last): a slow step, during which the test sends its second SIGINT.
if (how === "signal twice")
  teardown.add("a slow step", () => new Promise((r) => setTimeout(r, 1500)));
console.log(`${service.pid} ${grandchild.toString().trim()}`);
try {
  if (how === "throw")
    setImmediate(() => {
      throw new Error("thrown out of a callback");
    });
  if (how === "reject") void Promise.reject(new Error("rejected, unhandled"));
  if (how?.startsWith("signal")) setInterval(() => undefined, 1000); // alive until the SIGINT
  if (how === "exit") process.exit(3); // no teardown awaited: the exit hook kills by pid
} finally {
  if (how === "normal") await teardown.run();
}
