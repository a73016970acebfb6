import type { RevisionRef } from "./rollout.definition.js";
import { forEachDevice, type RolloutDevice } from "./rollout.device-table.js";
import type { ConsentState, RolloutEvent } from "./rollout.events.js";
import { type FailureGroup, groupFailures } from "./rollout.failures.js";
import { allowedFailures, evaluateGate, gateCounts } from "./rollout.gate.js";
import type {
  RolloutState,
  RolloutStatus,
  StartedRolloutState,
  StatusCounts,
  WaveState,
} from "./rollout.js";
import { evolve, inFlightCount, initialState, isStarted } from "./rollout.js";

export type WaveProgress = {
  index: number;
  status: WaveState["status"];
  size: number;
  counts: StatusCounts;
  gate: {
    state: "not_started" | "open" | "passed" | "failed";
    /** What the gate would decide on the counts as they are now. */
    verdictNow: "pending" | "passed" | "failed";
    succeeded: number;
    required: number;
    finished: number;
    failures: number;
    lateFailures: number;
    minSample: number;
    /** The wave's thresholds: failure percent over finished devices and absolute cap. */
    maxFailures: { percent?: number; count?: number };
    /** Failures tolerated in this wave now (the lower of both thresholds). */
    allowedFailures: number;
    /** failures / finished as a percent (one decimal); null before a device finished. */
    failurePercent: number | null;
  };
  startedAt: string | null;
  closedAt: string | null;
  /** A wave the schedule holds back starts then (`startAt` or its `notBefore`). */
  deferredUntil: string | null;
  soak: {
    soakSeconds: number;
    soakingDevices: number;
    longestSoakingSeconds: number;
    remainingSeconds: number;
  };
};

export type RolloutProgress = {
  rolloutId: string;
  status: RolloutStatus;
  revision: RevisionRef;
  currentWave: number | null;
  devices: number;
  waves: WaveProgress[];
  /** Seconds until the last wave closes, from the pace of closed waves; null before one closed. */
  etaSeconds: number | null;
  /** A paced rollout's slots: its limit and its devices assigned and not yet finished. */
  pace?: { maxInFlight: number; inFlight: number };
  /** Failed and rejected devices grouped by (stage, reason), largest first. */
  failures: (FailureGroup & { count: number })[];
  /** A consenting fleet's devices by their last answer (issue 20). */
  consent: Record<ConsentState, number>;
};

const seconds = (from: string, to: string) =>
  Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);

export function rolloutProgress(state: RolloutState, now: string): RolloutProgress | null {
  if (state.status === "none") return null;
  const base = {
    rolloutId: state.rolloutId,
    status: state.status,
    revision: state.definition.revision,
  };
  if (!isStarted(state))
    return {
      ...base,
      currentWave: null,
      devices: 0,
      waves: [],
      etaSeconds: null,
      failures: [],
      consent: noConsent(),
    };
  const seen = scanDevices(state);
  const waves = state.waves.map((wave) =>
    waveProgress(wave, seen.soaking.get(wave.index) ?? [], now),
  );
  const devices = waves.reduce((sum, w) => sum + w.size, 0);
  return {
    ...base,
    currentWave: state.currentWave,
    devices,
    waves,
    etaSeconds: eta(state, waves, now),
    ...paceOf(state),
    failures: groupFailures(seen.failed),
    consent: seen.consent,
  };
}

function paceOf(state: StartedRolloutState): Pick<RolloutProgress, "pace"> {
  const maxInFlight = state.definition.maxInFlight;
  if (maxInFlight === undefined) return {};
  return { pace: { maxInFlight, inFlight: inFlightCount(state.waves) } };
}

const noConsent = (): Record<ConsentState, number> => ({ asked: 0, accept: 0, later: 0, skip: 0 });

type Soaking = { since: string; until: string };

/**
 * What the view needs of every device, in ONE pass over the table: the soaking devices of each
 * wave, the failed and rejected ones, the consent answers. The view is read once a second by
 * whoever watches a rollout (the CLI, the console, bench:fleet); three passes and a lookup per
 * wave member were 10 % of the orchestrator's CPU during a 10,000-device rollout (issue 16).
 */
function scanDevices(state: StartedRolloutState): {
  soaking: Map<number, Soaking[]>;
  failed: RolloutDevice[];
  consent: Record<ConsentState, number>;
} {
  const soaking = new Map<number, Soaking[]>();
  const failed: RolloutDevice[] = [];
  const consent = noConsent();
  forEachDevice(state.devices, (device) => {
    if (device.consent) consent[device.consent.answer]++;
    if (device.status === "failed" || device.status === "rejected") failed.push(device);
    else if (device.status === "soaking" && device.soakUntil) {
      const wave = soaking.get(device.waveIndex);
      const entry = { since: device.statusAt, until: device.soakUntil };
      if (wave) wave.push(entry);
      else soaking.set(device.waveIndex, [entry]);
    }
  });
  return { soaking, failed, consent };
}

function waveProgress(
  wave: WaveState,
  soakingSince: readonly Soaking[],
  now: string,
): WaveProgress {
  const gate = evaluateGate(wave);
  const gateState =
    wave.status === "running" ? "open" : wave.status === "pending" ? "not_started" : wave.status;
  return {
    index: wave.index,
    status: wave.status,
    size: wave.deviceIds.length,
    counts: wave.counts,
    gate: {
      state: gateState,
      verdictNow: gate.verdict,
      succeeded: gate.counts.succeeded,
      required: gate.required,
      finished: gate.counts.finished,
      failures: gate.counts.failures,
      lateFailures: gate.counts.lateFailures,
      minSample: Math.min(wave.spec.minSample, gate.counts.members),
      maxFailures: wave.spec.maxFailures,
      allowedFailures: allowedFailures(wave, gateCounts(wave).members),
      failurePercent:
        gate.counts.finished === 0
          ? null
          : Math.round((gate.counts.failures * 1000) / gate.counts.finished) / 10,
    },
    startedAt: wave.startedAt,
    closedAt: wave.closedAt,
    deferredUntil: wave.deferredUntil,
    soak: {
      soakSeconds: wave.spec.soakSeconds,
      soakingDevices: soakingSince.length,
      ...soakSpan(soakingSince, now),
    },
  };
}

/** The longest soak so far and the longest left (a loop: a wave may soak thousands at once). */
function soakSpan(
  soaking: readonly Soaking[],
  now: string,
): { longestSoakingSeconds: number; remainingSeconds: number } {
  let earliest = Number.POSITIVE_INFINITY;
  let latest = Number.NEGATIVE_INFINITY;
  for (const { since, until } of soaking) {
    earliest = Math.min(earliest, Date.parse(since));
    latest = Math.max(latest, Date.parse(until));
  }
  if (soaking.length === 0) return { longestSoakingSeconds: 0, remainingSeconds: 0 };
  const at = Date.parse(now);
  return {
    longestSoakingSeconds: Math.max(0, (at - earliest) / 1000),
    remainingSeconds: Math.max(0, (latest - at) / 1000),
  };
}

function eta(state: StartedRolloutState, waves: WaveProgress[], now: string): number | null {
  if (state.status !== "running" && state.status !== "paused")
    return state.status === "completed" ? 0 : null;
  const closed = waves.filter((w) => w.startedAt !== null && w.closedAt !== null);
  if (closed.length === 0) return null;
  const perWave =
    closed.reduce((sum, w) => sum + seconds(w.startedAt ?? now, w.closedAt ?? now), 0) /
    closed.length;
  const open = waves.filter((w) => w.closedAt === null);
  const current = open.find((w) => w.startedAt !== null);
  const elapsed = current?.startedAt ? seconds(current.startedAt, now) : 0;
  return Math.round(Math.max(current?.soak.remainingSeconds ?? 0, perWave * open.length - elapsed));
}

/**
 * The rollout as it stood at `instant`: the longest prefix of its stream recorded by then.
 * A prefix (not a filter) so the answer is a state the rollout really went through.
 */
export function rolloutAt(events: readonly RolloutEvent[], instant: string): RolloutState {
  const limit = Date.parse(instant);
  let state = initialState();
  for (const event of events) {
    if (Date.parse(event.data.at) > limit) break;
    state = evolve(state, event);
  }
  return state;
}
