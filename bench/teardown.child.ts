// Run by teardown.unit.spec.ts: starts a long-lived process the way a bench starts its services,
// prints its pid, then ends the way argv[2] says (normal, throw, reject, signal, exit).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { benchTeardown } from "./teardown.js";

const how = process.argv[2];
const teardown = benchTeardown((line) => process.stderr.write(`${line}\n`));
const service = spawn("sleep", ["1000"], { stdio: "ignore" });
const exited = once(service, "exit");
teardown.add(
  "sleep",
  async () => {
    service.kill("SIGTERM");
    await exited;
  },
  () => [service.pid],
);
console.log(String(service.pid));
try {
  if (how === "throw")
    setImmediate(() => {
      throw new Error("thrown out of a callback");
    });
  if (how === "reject") void Promise.reject(new Error("rejected, unhandled"));
  if (how === "signal") setInterval(() => undefined, 1000); // kept alive until the test's SIGINT
  if (how === "exit") process.exit(3); // no teardown awaited: the exit hook kills by pid
} finally {
  if (how === "normal") await teardown.run();
}
