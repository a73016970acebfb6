import type { RolloutEvents } from "@statecast/events";
import type { z } from "zod";

// The rollout definition is its zod schema in @statecast/contract/http (the one RolloutCreated
// carries, through the events catalog).

export type RolloutDefinition = z.output<typeof RolloutEvents.rolloutDefinition>;
export type RevisionRef = RolloutDefinition["revision"];
export type DeviceSelector = RolloutDefinition["selector"];
export type WaveSpec = RolloutDefinition["waves"][number];
export type WaveSize = WaveSpec["size"];
/** When a rollout may assign targets (issue 20); every field optional. */
export type RolloutSchedule = NonNullable<RolloutDefinition["schedule"]>;
/** What happens at `endAt`: nothing more is assigned; `cancel_pending` also withdraws unstarted targets. */
export type ScheduleEnd = NonNullable<RolloutSchedule["atEnd"]>;
export type RolloutPolicy = RolloutDefinition["policy"];

/** What an operator may post: waves and policy fall back to the defaults. */
export type RolloutDefinitionInput = Omit<RolloutDefinition, "waves" | "policy"> & {
  waves?: WaveSpec[];
  policy?: Partial<RolloutPolicy>;
};

/** A canary wave first, then a quarter of the fleet, then the rest. */
export const DEFAULT_WAVES: readonly WaveSpec[] = [
  { size: { percent: 5 }, minSample: 1, soakSeconds: 600, maxFailures: { count: 0 } },
  { size: { percent: 25 }, minSample: 5, soakSeconds: 300, maxFailures: { percent: 5, count: 10 } },
  { size: { percent: 70 }, minSample: 10, soakSeconds: 0, maxFailures: { percent: 5 } },
];

export const DEFAULT_POLICY: RolloutPolicy = { onFailure: "pause", onSuccess: "next" };

export function withDefaults(input: RolloutDefinitionInput): RolloutDefinition {
  const { waves, policy, ...rest } = input;
  return {
    ...rest,
    waves: waves ?? DEFAULT_WAVES.map((wave) => structuredClone(wave)),
    policy: { ...DEFAULT_POLICY, ...policy },
  };
}

/** The one text form and equality of revisions are the contract's. */
export { formatRevision, sameRevision } from "@statecast/contract";
