import type { GateCounts } from "./rollout.events.js";
import type { WaveState } from "./rollout.js";

export type GateVerdict =
  | { verdict: "pending"; counts: GateCounts; required: number }
  | { verdict: "passed"; counts: GateCounts; required: number }
  | { verdict: "failed"; counts: GateCounts; required: number; reason: string };

/** The counts a wave's gate looks at (cancelled devices are not members any more). */
export function gateCounts(wave: WaveState): GateCounts {
  const c = wave.counts;
  const succeeded = c.succeeded + c.already_on_revision;
  const ownFailures = c.failed + c.rejected;
  return {
    members: wave.deviceIds.length - c.cancelled,
    finished: succeeded + c.soaking + ownFailures + wave.lateFailures,
    succeeded,
    failures: ownFailures + wave.lateFailures,
    lateFailures: wave.lateFailures,
  };
}

/** Failures the gate tolerates in a wave of `members` devices. */
export function allowedFailures(wave: WaveState, members: number): number {
  const { percent, count } = wave.spec.maxFailures;
  const byPercent = percent === undefined ? members : Math.floor((members * percent) / 100);
  return Math.min(byPercent, count ?? members);
}

/**
 * DESIGN §6. The absolute count cap trips at any time; the percentage is over finished devices
 * and only once `minSample` finished (capped at the wave's size, so small waves can decide). A wave
 * passes only when enough devices *succeeded* (soaked): a wave that merely finished does not.
 */
export function evaluateGate(wave: WaveState): GateVerdict {
  const counts = gateCounts(wave);
  const { percent, count } = wave.spec.maxFailures;
  const required = Math.max(0, counts.members - allowedFailures(wave, counts.members));
  const minSample = Math.min(wave.spec.minSample, counts.members);
  if (count !== undefined && counts.failures > count)
    return {
      verdict: "failed",
      counts,
      required,
      reason: `${counts.failures} failures exceed the cap of ${count}`,
    };
  if (
    percent !== undefined &&
    counts.finished > 0 &&
    counts.finished >= minSample &&
    counts.failures * 100 > percent * counts.finished
  )
    return {
      verdict: "failed",
      counts,
      required,
      reason: `${counts.failures} of ${counts.finished} finished devices failed (${round(
        (counts.failures * 100) / counts.finished,
      )}%), above ${percent}%`,
    };
  if (counts.succeeded >= required && counts.finished >= minSample)
    return { verdict: "passed", counts, required };
  return { verdict: "pending", counts, required };
}

const round = (n: number) => Math.round(n * 10) / 10;
