import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** Resolves once something accepts TCP connections on host:port, or throws after timeoutMs. */
export async function waitForPort(
  port: number,
  timeoutMs: number,
  host = "127.0.0.1",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ port, host });
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline)
      throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await sleep(25);
  }
}
