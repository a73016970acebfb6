import type { RolloutDefinition, ScheduleEnd } from "./rollout.definition.js";
import type { WaveStartCause } from "./rollout.events.js";

/** What holds wave `index` back at `now`: the later of the rollout's `startAt` and the wave's `notBefore`. */
export function waveStartBlock(
  definition: RolloutDefinition,
  index: number,
  now: string,
): { until: string; cause: WaveStartCause } | null {
  const startAt = definition.schedule?.startAt;
  const notBefore = definition.waves[index]?.notBefore;
  const candidates: { until: string; cause: WaveStartCause }[] = [];
  if (startAt !== undefined) candidates.push({ until: startAt, cause: "rollout_start_at" });
  if (notBefore !== undefined) candidates.push({ until: notBefore, cause: "wave_not_before" });
  const ahead = candidates.filter((c) => Date.parse(c.until) > Date.parse(now));
  if (ahead.length === 0) return null;
  return ahead.reduce((a, b) => (Date.parse(b.until) > Date.parse(a.until) ? b : a));
}

/** The schedule's end, if it has one: `stop_assigning` unless the definition says otherwise. */
export function scheduleEnd(
  definition: RolloutDefinition,
): { endAt: string; atEnd: ScheduleEnd } | null {
  const endAt = definition.schedule?.endAt;
  if (endAt === undefined) return null;
  return { endAt, atEnd: definition.schedule?.atEnd ?? "stop_assigning" };
}

export function scheduleEndedAt(definition: RolloutDefinition, now: string): boolean {
  const end = scheduleEnd(definition);
  return end !== null && Date.parse(now) >= Date.parse(end.endAt);
}
