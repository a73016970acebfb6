import { type JetStreamClient, jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";

const STATUSES = ["QUEUED", "DOWNLOADING", "INPROGRESS", "TESTING"] as const;

/** Report `seq` (1-based) of `perDevice`: in-flight statuses, the last one DONE. */
export function report(deviceId: string, seq: number, perDevice: number) {
  const last = seq === perDevice;
  return {
    deviceId,
    bootId: "bench-boot",
    seq,
    revision: "fleet#2",
    status: last ? "DONE" : STATUSES[(seq - 1) % STATUSES.length],
    progress: last ? 100 : 25,
    message: `bench report ${seq}`,
    runtime: "sim",
    at: new Date().toISOString(),
  };
}

export const deviceIds = (n: number) => Array.from({ length: n }, (_, i) => `bench-${i}`);

/**
 * Publishes every report over `publishers` connections; a device always uses the same connection
 * (its reports stay in order, as one agent's would), rounds go in seq order, and each connection
 * keeps up to `window` JetStream publishes unacknowledged. Resolves when the server acked all.
 */
export async function publishAll(
  publishers: NatsConnection[],
  devices: string[],
  perDevice: number,
  subject: (deviceId: string) => string,
  window = 512,
): Promise<number> {
  const lane = async (js: JetStreamClient, mine: string[]) => {
    const inflight = new Set<Promise<unknown>>();
    for (let seq = 1; seq <= perDevice; seq++) {
      for (const id of mine) {
        const body = JSON.stringify(report(id, seq, perDevice));
        const p: Promise<unknown> = js
          .publish(subject(id), body, { msgID: `${id}:bench-boot:${seq}` })
          .finally(() => inflight.delete(p));
        inflight.add(p);
        if (inflight.size >= window) await Promise.race(inflight);
      }
    }
    await Promise.all(inflight);
  };
  await Promise.all(
    publishers.map((nc, i) =>
      lane(
        jetstream(nc),
        devices.filter((_, d) => d % publishers.length === i),
      ),
    ),
  );
  return devices.length * perDevice;
}
