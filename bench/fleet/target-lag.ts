import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import { TARGETS_BUCKET } from "@statecast/contract";
import type pg from "pg";
import { eachLimited } from "./agents.js";

export interface TargetLag {
  /** TargetAssigned committed → the gateway's put of the device's `sc_targets` key (server time). */
  p50_target_write_ms: number;
  p99_target_write_ms: number;
}

/**
 * The first stage of a device's time, which the events alone do not show: from its
 * `TargetAssigned` (`recorded_at`) to the moment the gateway wrote its target (the KV entry's
 * `created`; both clocks are this machine's). Read after the rollout, from each device's key.
 */
export async function targetWriteLag(
  nc: NatsConnection,
  pool: pg.Pool,
  window: { from: string; to: string },
): Promise<TargetLag> {
  const { rows } = await pool.query<{ device: string; at: Date }>(
    `SELECT split_part(stream_id, ':', 2) AS device, max(recorded_at) AS at FROM events
     WHERE type = 'TargetAssigned' AND global_position > $1 AND global_position <= $2
     GROUP BY stream_id`,
    [window.from, window.to],
  );
  const kv = await new Kvm(nc).open(TARGETS_BUCKET);
  const lags: number[] = [];
  await eachLimited(rows, 64, async ({ device, at }) => {
    const entry = await kv.get(device);
    if (entry?.operation === "PUT") lags.push(entry.created.getTime() - at.getTime());
  });
  lags.sort((a, b) => a - b);
  const at = (q: number) => lags[Math.min(lags.length - 1, Math.floor(q * lags.length))] ?? 0;
  return { p50_target_write_ms: Math.round(at(0.5)), p99_target_write_ms: Math.round(at(0.99)) };
}
