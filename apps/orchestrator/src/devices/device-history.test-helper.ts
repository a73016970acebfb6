import type { EventMetadata, PostgresEventStore } from "@statecast/events";
import type pg from "pg";

/** Metadata of a device-side event, as the gateway will write it. */
export function fromDevice(deviceId: string, correlationId = `c-${deviceId}`): EventMetadata {
  return {
    actor: `device:${deviceId}`,
    correlationId,
    causationId: correlationId,
    now: new Date().toISOString(),
  };
}

/** Appends one event to `device:<id>` as the device (the gateway's job, until it exists). */
export async function deviceEvent(
  store: PostgresEventStore,
  deviceId: string,
  type: string,
  data: unknown,
  correlationId?: string,
): Promise<void> {
  await store.append(
    `device:${deviceId}`,
    [{ type, data, metadata: fromDevice(deviceId, correlationId) }],
    {
      expectedVersion: "any",
    },
  );
}

export function enrolled(deviceId: string, fleet: string, tags: Record<string, string>) {
  return {
    deviceId,
    publicKey: `U${"A".repeat(55)}`,
    fleet,
    tags,
    enrolledWith: "approval" as const,
  };
}

/** The database's clock, so instants compare with recorded_at exactly. */
export async function dbNow(pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<{ t: Date }>("SELECT clock_timestamp() AS t");
  const row = rows[0];
  if (!row) throw new Error("clock_timestamp() returned no row");
  return row.t.toISOString();
}
