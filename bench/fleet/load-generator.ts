// The load generator's own process (bench:fleet forks one or more): runs a share of the `sim`
// agents, so the services are not measured through the agents' CPU, memory and descriptors.
// Speaks with the bench over the IPC channel (see load-generators.ts); exits when told to stop
// or when the bench goes away.
import { setTimeout as sleep } from "node:timers/promises";
import { surviveResourceErrors } from "../../apps/device-agent/src/fs/last-resort.js";
import { resourceErrorCounts } from "../../apps/device-agent/src/fs/resource-retry.js";
import { eachLimited, type RunningAgent, startSimAgent } from "./agents.js";
import type { FromGenerator, ToGenerator } from "./load-generators.js";

const send = (message: FromGenerator, sent?: () => void) =>
  process.connected ? process.send?.(message, undefined, {}, () => sent?.()) : sent?.();
// Thousands of agents share this process: a resource error none of them awaited is counted and
// survived (as in the agent's own process); anything else ends the generator, and the bench.
surviveResourceErrors({
  log: {
    info() {},
    warn: (msg, fields) =>
      process.stderr.write(`[load generator] ${msg} ${JSON.stringify(fields)}\n`),
    error: (msg, fields) =>
      process.stderr.write(`[load generator] ${msg} ${JSON.stringify(fields)}\n`),
  },
});
const agents: RunningAgent[] = [];
/** How long agents are given to stop before the process ends (under the teardown's 20 s). */
const STOP_WAIT_MS = 12_000;
let stopping: Promise<void> | undefined;
const stop = () => {
  stopping ??= (async () => {
    // Bounded: the bench's teardown kills a load generator after 20 s, and a killed one writes
    // no CPU profile (BENCH_FLEET_CPU_PROF). Ending the process closes what is still open.
    const stopped = eachLimited(agents.splice(0), 64, (a) => a.stop());
    await Promise.race([stopped, sleep(STOP_WAIT_MS)]);
    await new Promise<void>((resolve) =>
      send({ type: "stopped", resourceErrors: resourceErrorCounts() }, resolve),
    );
    if (process.connected) process.disconnect();
    process.exit(0);
  })();
  return stopping;
};

process.on("message", (message: ToGenerator) => {
  if (message.type === "stop") {
    void stop();
    return;
  }
  const { devices, options } = message;
  void (async () => {
    await eachLimited(devices, options.connectConcurrency, async (device) => {
      if (stopping) return;
      agents.push(await startSimAgent(device, options));
      send({ type: "connected", count: agents.length });
    });
    send({ type: "ready", count: agents.length });
  })().catch((error: Error) => {
    send({ type: "failed", error: error.stack ?? error.message });
  });
});
// The bench is gone (killed, crashed): stop the agents and end, never outlive it.
process.on("disconnect", () => void stop().finally(() => process.exit(0)));
