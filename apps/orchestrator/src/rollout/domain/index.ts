// The rollout domain's public surface for the HTTP API, projections and persistence around it.

export * from "./rollout.conflicts.js";
export { decide } from "./rollout.decider.js";
export { SYSTEM_ACTOR } from "./rollout.decision.js";
export * from "./rollout.definition.js";
export type { DeviceRolloutStatus, RolloutDevice } from "./rollout.device-table.js";
export { allDevices, getDevice } from "./rollout.device-table.js";
export { asRolloutEvent } from "./rollout.events.js";
export { allowedFailures, evaluateGate, type GateVerdict, gateCounts } from "./rollout.gate.js";
export type * from "./rollout.inputs.js";
export type * from "./rollout.js";
export { emptyCounts, evolve, initialState, isStarted } from "./rollout.js";
export {
  type FleetDevice,
  type PlannedDevice,
  type PlannedWave,
  planWaves,
} from "./rollout.plan.js";
export * from "./rollout.progress.js";
export { type ReplayPolicy, type ReplayResult, replayRollout } from "./rollout.replay.js";
export { timerInput } from "./rollout.timers.js";
export {
  parseDefinition,
  type ValidationContext,
  validateDefinition,
} from "./rollout.validation.js";
export * from "./rollout.why.js";
