/** A small deterministic PRNG (mulberry32) so runs are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Event mix of a busy fleet: mostly progress reports. Cumulative weights. */
export const TYPE_MIX: readonly [string, number][] = [
  ["UpdateProgressReported", 0.6],
  ["DeviceCameOnline", 0.72],
  ["DeviceWentOffline", 0.8],
  ["TargetAssigned", 0.9],
  ["UpdateSucceeded", 0.97],
  ["UpdateFailed", 1],
];

/** Index into TYPE_MIX for a uniform random number in [0, 1). */
export function pickTypeIndex(r: number): number {
  const i = TYPE_MIX.findIndex(([, upTo]) => r < upTo);
  return i === -1 ? TYPE_MIX.length - 1 : i;
}

/**
 * SQL building one synthetic event row from `d` (device index), `v` (its stream version), `k`
 * (TYPE_MIX index) and `at` (timestamptz): the payloads of the device catalog
 * (libs/events/src/catalog/device.ts) and the envelope metadata a device's own report carries.
 * Built server-side so the loader ships three integers per event instead of two JSON documents;
 * run.ts validates a sample of the loaded rows against the catalog and the metadata schema.
 */
const iso = (at: string) => `to_char(${at} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const revision = `jsonb_build_object('fleet', 'fleet-' || (d % 10), 'number', 1 + v % 50)`;

/** The fleet of device `d`'s events (the column the append statements fill; DESIGN §2). */
export const SYNTHETIC_FLEET_SQL = `'fleet-' || (d % 10)`;

export const SYNTHETIC_TYPE_SQL = `(ARRAY[${TYPE_MIX.map(([t]) => `'${t}'`).join(", ")}])[k + 1]`;

export const SYNTHETIC_DATA_SQL = `CASE k
  WHEN 0 THEN jsonb_build_object('bootId', 'b' || d, 'seq', v, 'revision', ${revision},
    'status', (ARRAY['QUEUED', 'DOWNLOADING', 'INPROGRESS', 'TESTING'])[v % 4 + 1],
    'progress', 25 * (v % 4))
  WHEN 1 THEN jsonb_build_object('bootId', 'b' || d)
  WHEN 2 THEN jsonb_build_object('lastSeenAt', ${iso("at")})
  WHEN 3 THEN jsonb_build_object('revision', ${revision}, 'digest', repeat('a', 64), 'seq', v,
    'rolloutId', 'rollout-' || (v % 20), 'waveIndex', v % 4)
  WHEN 4 THEN jsonb_build_object('revision', ${revision}, 'status', 'DONE')
  ELSE jsonb_build_object('revision', ${revision}, 'reason', 'container_exited',
    'message', 'synthetic failure')
END`;

/** `c` is a fresh uuid: a device report starts its own correlation. */
export const SYNTHETIC_METADATA_SQL = `jsonb_build_object('actor', 'device:d' || d,
  'correlationId', c::text, 'causationId', c::text, 'now', ${iso("at")})`;
