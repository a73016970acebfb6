import { randomUUID } from "node:crypto";

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

export function pickType(r: number): string {
  for (const [type, upTo] of TYPE_MIX) if (r < upTo) return type;
  return "UpdateFailed";
}

const STATUSES = ["QUEUED", "DOWNLOADING", "INPROGRESS", "TESTING"];

/** A plausible payload for each synthetic type (the shape of the device catalog). */
export function dataFor(type: string, deviceIndex: number, seq: number, at: Date): unknown {
  const revision = { fleet: `fleet-${deviceIndex % 10}`, number: 1 + (seq % 50) };
  switch (type) {
    case "UpdateProgressReported":
      return {
        bootId: `b${deviceIndex}`,
        seq,
        revision,
        status: STATUSES[seq % 4],
        progress: 25 * (seq % 4),
      };
    case "DeviceCameOnline":
      return { bootId: `b${deviceIndex}` };
    case "DeviceWentOffline":
      return { lastSeenAt: at.toISOString() };
    case "TargetAssigned":
      return {
        revision,
        digest: "a".repeat(64),
        seq,
        rolloutId: `rollout-${seq % 20}`,
        waveIndex: seq % 4,
      };
    case "UpdateSucceeded":
      return { revision, status: "DONE" };
    default:
      return { revision, reason: "container_exited", message: "synthetic failure" };
  }
}

export function metadataFor(deviceIndex: number, at: Date): unknown {
  const id = randomUUID();
  return {
    actor: `device:d${deviceIndex}`,
    correlationId: id,
    causationId: id,
    now: at.toISOString(),
  };
}
