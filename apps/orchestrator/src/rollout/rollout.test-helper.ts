import { setTimeout as sleep } from "node:timers/promises";
import type { TestApp } from "../openapi/test-app.test-helper.js";
import { enrollSimDevices } from "../testing/rollout-sim/device-sim.test-helper.js";

export type Json = Record<string, unknown> & { waves?: Json[] };

/** Polls `check` until it returns a value (not undefined) or fails after `timeoutMs`. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

export async function callJson(
  app: TestApp,
  path: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<{ status: number; body: Json }> {
  const res = await app.call(path, init);
  return { status: res.status, body: (await res.json()) as Json };
}

/** Enrols `count` devices `<prefix>-<n>` of `fleet` on `current` and waits for the registry. */
export async function fleetOf(
  app: TestApp,
  fleet: string,
  prefix: string,
  count: number,
  current: { fleet: string; number: number },
): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(4, "0")}`);
  await enrollSimDevices(
    app.store,
    ids.map((deviceId) => ({ deviceId, fleet, tags: { site: prefix } })),
    current,
  );
  await until(`${count} devices of ${fleet} in the registry`, async () => {
    const { rows } = await app.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM device_registry WHERE fleet = $1 AND record ? 'currentRevision' AND record -> 'currentRevision' <> 'null'",
      [fleet],
    );
    return (rows[0]?.n ?? 0) >= count ? true : undefined;
  });
  return ids;
}

/** Waits until the rollout's status is `status`, returning its progress view. */
export function rolloutReaches(app: TestApp, rolloutId: string, status: string): Promise<Json> {
  return until(`rollout ${rolloutId} to be ${status}`, async () => {
    const { body } = await callJson(app, `/v1/rollouts/${rolloutId}`);
    return body.status === status ? body : undefined;
  });
}

/** Current revision numbers of devices, from the device registry. */
export async function currentRevisions(app: TestApp, ids: string[]): Promise<Map<string, number>> {
  const { rows } = await app.pool.query<{ device_id: string; n: number | null }>(
    "SELECT device_id, (record -> 'currentRevision' ->> 'number')::int AS n FROM device_registry WHERE device_id = ANY($1)",
    [ids],
  );
  return new Map(rows.map((r) => [r.device_id, r.n ?? 0]));
}
