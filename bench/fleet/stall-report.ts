import type { JetStreamManager } from "@nats-io/jetstream";
import { objectReadFigures } from "./object-reads.js";

/**
 * What a rollout that paused or ran out of time was waiting on, as far as NATS and the gateway
 * show it: the gateway's object read queue, and how far behind each SC_EVENTS consumer is.
 */
export async function logStall(
  log: (line: string) => void,
  gatewayUrl: string,
  jsm: JetStreamManager,
): Promise<void> {
  log(`gateway object reads: ${JSON.stringify(await objectReadFigures(gatewayUrl))}`);
  try {
    const behind: string[] = [];
    for await (const c of jsm.consumers.list("SC_EVENTS"))
      behind.push(`${c.name} ${c.num_pending} pending / ${c.num_ack_pending} unacked`);
    log(`SC_EVENTS consumers: ${behind.join(", ")}`);
  } catch (error) {
    log(`SC_EVENTS consumers: not read (${(error as Error).message})`);
  }
}
