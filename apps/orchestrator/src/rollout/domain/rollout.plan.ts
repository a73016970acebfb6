import type { RolloutDefinition, WaveSize } from "./rollout.definition.js";
import { formatRevision, sameRevision } from "./rollout.definition.js";
import type { RolloutStarted } from "./rollout.events.js";

/** A wave as RolloutStarted plans it. */
export type PlannedWave = RolloutStarted["data"]["plan"][number];
export type PlannedDevice = PlannedWave["devices"][number];
/** A device as the fleet knows it when a rollout starts (or when it joins the selector). */
export type FleetDevice = Omit<PlannedDevice, "alreadyOnRevision">;

/**
 * Wave membership and order for a definition. Devices are ordered by a hash of the seed (the
 * target revision by default) and the device id, so the canary is a spread sample rather than the
 * first ids alphabetically, and the dry-run shows exactly the plan that start will use. Percent
 * sizes are of the whole selection, rounded up; the last wave takes whatever rounding left over.
 */
export function planWaves(
  definition: RolloutDefinition,
  devices: readonly FleetDevice[],
  seed: string = formatRevision(definition.revision),
): PlannedWave[] {
  const ordered = [...new Map(devices.map((d) => [d.deviceId, d])).values()]
    .map((device) => ({ device, key: hash53(`${seed}:${device.deviceId}`) }))
    .sort((a, b) => a.key - b.key || compare(a.device.deviceId, b.device.deviceId))
    .map(({ device }) => ({
      ...device,
      alreadyOnRevision: sameRevision(device.currentRevision, definition.revision),
    }));
  let next = 0;
  return definition.waves.map((wave, index) => {
    const last = index === definition.waves.length - 1;
    const size = last ? ordered.length - next : waveSize(wave.size, ordered.length);
    const members = ordered.slice(next, next + size);
    next += members.length;
    return { index, devices: members };
  });
}

export function waveSize(size: WaveSize, total: number): number {
  if ("count" in size) return size.count;
  return total === 0 ? 0 : Math.max(1, Math.ceil((total * size.percent) / 100));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** cyrb53: a fast, well-spread 53-bit string hash (deterministic, no crypto needed here). */
export function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
