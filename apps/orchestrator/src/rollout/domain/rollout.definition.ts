export type RevisionRef = { fleet: string; number: number };

export type DeviceSelector = { ids?: string[]; tags?: string[]; fleet?: string };

export type WaveSize = { percent: number } | { count: number };

export type WaveSpec = {
  size: WaveSize;
  /** Finished devices needed before the failure percentage may decide anything. */
  minSample: number;
  soakSeconds: number;
  maxFailures: { percent?: number; count?: number };
  /** ISO instant before which the wave does not start (issue 20). */
  notBefore?: string;
};

/** What happens at `endAt`: nothing more is assigned; `cancel_pending` also withdraws unstarted targets. */
export type ScheduleEnd = "stop_assigning" | "cancel_pending";

/** When a rollout may assign targets (issue 20); every field optional. */
export type RolloutSchedule = { startAt?: string; endAt?: string; atEnd?: ScheduleEnd };

export type RolloutPolicy = {
  onFailure: "pause" | "abort" | "rollback";
  onSuccess: "next" | "pause";
};

export type RolloutDefinition = {
  revision: RevisionRef;
  selector: DeviceSelector;
  waves: WaveSpec[];
  policy: RolloutPolicy;
  deviceTimeoutSeconds?: number;
  schedule?: RolloutSchedule;
};

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

export function sameRevision(a: RevisionRef | null, b: RevisionRef): boolean {
  return a !== null && a.fleet === b.fleet && a.number === b.number;
}

export function formatRevision(revision: RevisionRef): string {
  return `${revision.fleet}#${revision.number}`;
}
