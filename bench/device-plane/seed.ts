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

const targetAssigned = (revision: number, seq: number) => ({
  type: "TargetAssigned",
  data: { revision: { fleet: "fleet", number: revision }, digest: "a".repeat(64), seq },
  metadata,
});

/** Each device enrolled and targeted at fleet#2, through the event store's own append. */
export async function seedDevices(url: string, devices: string[]): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: url, max: 16 });
  // An idle client cut by the server's shutdown must not crash the bench and hide the real error.
  pool.on("error", () => undefined);
  await migrate(url, eventStoreMigrations);
  const store = new PostgresEventStore(pool, createRegistry(deviceCatalog));
  for (let i = 0; i < devices.length; i += 500) {
    await store.appendMany(
      devices.slice(i, i + 500).map((deviceId) => ({
        streamId: deviceStreamId(deviceId),
        events: [
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
          targetAssigned(2, 1),
        ],
        expectedVersion: "no_stream" as const,
      })),
    );
  }
  return pool;
}

/** Every device targeted at `fleet#<revision>` (target seq `seq`), as a rollout's next wave would. */
export async function retarget(pool: pg.Pool, devices: string[], revision: number, seq: number) {
  const store = new PostgresEventStore(pool, createRegistry(deviceCatalog));
  for (let i = 0; i < devices.length; i += 500) {
    await store.appendMany(
      devices.slice(i, i + 500).map((deviceId) => ({
        streamId: deviceStreamId(deviceId),
        events: [targetAssigned(revision, seq)],
        expectedVersion: "any" as const,
      })),
    );
  }
}

/** Resolves once the gateways' consumer has delivered and acked everything in the stream. */
export async function untilDrained(jsm: JetStreamManager): Promise<void> {
  for (;;) {
    const info = await jsm.consumers.info(STATUS_STREAM, STATUS_CONSUMER);
    if (info.num_pending === 0 && info.num_ack_pending === 0) return;
    await sleep(20);
  }
}

/**
 * Drains a backlog: resolves with the seconds from the first delivery (the consumer's pending
 * count first drops) to the last ack, polled every 20 ms.
 */
export async function timeDrain(jsm: JetStreamManager, backlog: number): Promise<number> {
  let started: number | undefined;
  for (;;) {
    const info = await jsm.consumers.info(STATUS_STREAM, STATUS_CONSUMER);
    if (started === undefined && info.num_pending < backlog) started = performance.now();
    if (info.num_pending === 0 && info.num_ack_pending === 0)
      return (performance.now() - (started ?? performance.now())) / 1000;
    await sleep(20);
  }
}
