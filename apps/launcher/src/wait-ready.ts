import { setTimeout as sleep } from "node:timers/promises";
import type { ServiceProcess } from "./service-process.js";

/** Polls `<url>/health/ready` until it answers 200; fails if the service exits or time runs out. */
export async function waitUntilReady(
  service: ServiceProcess,
  url: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exit: string | undefined;
  void service.exited.then((how) => {
    exit = how;
  });
  let last = "no answer yet";
  while (Date.now() < deadline) {
    if (exit) throw new Error(`${service.name} exited during start-up (${exit})`);
    try {
      const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(200);
  }
  throw new Error(`${service.name} was not ready at ${url} after ${timeoutMs} ms (${last})`);
}
