import { sameRevision } from "./rollout.definition.js";
import type { RolloutDevice } from "./rollout.device-table.js";
import { emptyDeviceTable, putDevices } from "./rollout.device-table.js";
import type { RolloutEvent, RolloutStarted } from "./rollout.events.js";
import { evolveDevices } from "./rollout.evolve-devices.js";

import type { Identity, Progress, RolloutState, WaveState } from "./rollout.state.js";
import { emptyCounts, isStarted } from "./rollout.state.js";

export type * from "./rollout.events.js";
export * from "./rollout.state.js";

export function evolve(state: RolloutState, event: RolloutEvent): RolloutState {
  switch (event.type) {
    case "RolloutCreated": {
      if (state.status !== "none") return state;
      const { rolloutId, definition, at, rollbackOf } = event.data;
      return {
        status: "created",
        rolloutId,
        definition,
        createdAt: at,
        rollbackOf: rollbackOf ?? null,
      };
    }
    case "RolloutStarted":
      return state.status === "created" ? startedFrom(state, event) : state;
    case "RolloutPaused":
      if (state.status !== "running") return state;
      return {
        ...progress(state),
        status: "paused",
        cause: event.data.cause,
        pausedAt: event.data.at,
      };
    case "RolloutResumed":
    case "RolloutPromoted":
      return state.status === "paused" ? { ...progress(state), status: "running" } : state;
    case "RolloutAborted":
      if (state.status === "created")
        return {
          ...state,
          status: "aborted",
          startedAt: null,
          waves: [],
          currentWave: 0,
          devices: emptyDeviceTable(),
          abortedAt: event.data.at,
        };
      if (state.status !== "running" && state.status !== "paused") return state;
      return { ...progress(state), status: "aborted", abortedAt: event.data.at };
    case "RolloutRollbackStarted":
      if (!isStarted(state) || state.status === "rolled_back" || state.startedAt === null)
        return state;
      return {
        ...progress({ ...state, startedAt: state.startedAt }),
        status: "rolled_back",
        rolledBackAt: event.data.at,
        rollbackRollouts: event.data.rollbackRollouts,
      };
    case "RolloutCompleted":
      return state.status === "running"
        ? { ...progress(state), status: "completed", completedAt: event.data.at }
        : state;
    case "WaveStarted":
      if (!isStarted(state)) return state;
      return {
        ...state,
        waves: evolveWaves(state.waves, event),
        currentWave: event.data.waveIndex,
      };
    case "WaveGatePassed":
    case "WaveGateFailed":
      return isStarted(state) ? { ...state, waves: evolveWaves(state.waves, event) } : state;
    case "WaveStartDeferred": {
      if (!isStarted(state)) return state;
      const { waveIndex, until, cause } = event.data;
      const waves = state.waves.map((wave) =>
        wave.index === waveIndex ? { ...wave, deferredUntil: until, deferredBy: cause } : wave,
      );
      return { ...state, waves, currentWave: waveIndex };
    }
    case "RolloutScheduleEnded":
      return state;
    default:
      return isStarted(state) ? evolveDevices(state, event) : state;
  }
}

function progress(state: Progress): Progress {
  const { rolloutId, definition, createdAt, rollbackOf, startedAt, waves, currentWave, devices } =
    state;
  return { rolloutId, definition, createdAt, rollbackOf, startedAt, waves, currentWave, devices };
}

function startedFrom(state: Identity, event: RolloutStarted): RolloutState {
  const { plan, at } = event.data;
  const members: RolloutDevice[] = plan.flatMap((wave) =>
    wave.devices.map((d) => ({
      deviceId: d.deviceId,
      waveIndex: wave.index,
      status: sameRevision(d.currentRevision, state.definition.revision)
        ? "already_on_revision"
        : "pending",
      online: d.online,
      previousRevision: d.currentRevision,
      statusAt: at,
    })),
  );
  const waves = state.definition.waves.map((spec, index): WaveState => {
    const counts = emptyCounts();
    for (const d of members) if (d.waveIndex === index) counts[d.status]++;
    const deviceIds = plan[index]?.devices.map((d) => d.deviceId) ?? [];
    return {
      index,
      spec,
      deviceIds,
      status: "pending",
      startedAt: null,
      closedAt: null,
      counts,
      lateFailures: 0,
      deferredUntil: null,
      deferredBy: null,
    };
  });
  const { rolloutId, definition, createdAt, rollbackOf } = state;
  const devices = putDevices(emptyDeviceTable(), members);
  return {
    status: "running",
    rolloutId,
    definition,
    createdAt,
    rollbackOf,
    startedAt: at,
    waves,
    currentWave: 0,
    devices,
  };
}

function evolveWaves(waves: WaveState[], event: RolloutEvent): WaveState[] {
  if (
    event.type !== "WaveStarted" &&
    event.type !== "WaveGatePassed" &&
    event.type !== "WaveGateFailed"
  )
    return waves;
  const { waveIndex, at } = event.data;
  return waves.map((wave) => {
    if (wave.index !== waveIndex) return wave;
    if (event.type === "WaveStarted")
      return { ...wave, status: "running", startedAt: at, deferredUntil: null, deferredBy: null };
    return { ...wave, status: event.type === "WaveGatePassed" ? "passed" : "failed", closedAt: at };
  });
}
