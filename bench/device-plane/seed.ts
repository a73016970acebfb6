import { setTimeout as sleep } from "node:timers/promises";
import type { JetStreamManager } from "@nats-io/jetstream";
import {
  createRegistry,
  deviceCatalog,
  deviceStreamId,
  eventStoreMigrations,
  migrate,
  PostgresEventStore,
} from "@statecast/events";
import pg from "pg";
import {
  STATUS_CONSUMER,
  STATUS_STREAM,
} from "../../apps/device-gateway/src/status/status-stream.js";

const metadata = {
  correlationId: "bench",
  causationId: "bench",
  actor: "operator:bench",
  now: new Date().toISOString(),
} as const;

/** Each device enrolled and targeted at fleet#2, through the event store's own append. */
export async function seedDevices(url: string, devices: string[]): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: url, max: 16 });
  await migrate(pool, eventStoreMigrations);
  const store = new PostgresEventStore(pool, createRegistry(deviceCatalog));
  let next = 0;
  const worker = async () => {
    while (next < devices.length) {
      const deviceId = devices[next++]!;
      await store.append(
        deviceStreamId(deviceId),
        [
          {
            type: "DeviceEnrolled",
            data: {
              deviceId,
              publicKey: `U${"A".repeat(55)}`,
              fleet: "fleet",
              tags: {},
              enrolledWith: "token",
            },
            metadata,
          },
          {
            type: "TargetAssigned",
            data: { revision: { fleet: "fleet", number: 2 }, digest: "a".repeat(64), seq: 1 },
            metadata,
          },
        ],
        { expectedVersion: "no_stream" },
      );
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return pool;
}

/** Resolves once the gateways' consumer has delivered and acked everything in the stream. */
export async function untilDrained(jsm: JetStreamManager): Promise<void> {
  for (;;) {
    const info = await jsm.consumers.info(STATUS_STREAM, STATUS_CONSUMER);
    if (info.num_pending === 0 && info.num_ack_pending === 0) return;
    await sleep(20);
  }
}
