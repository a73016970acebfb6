import type { Decision } from "./rollout.decision.js";
import type { RevisionRef, RolloutDefinition } from "./rollout.definition.js";
import { formatRevision } from "./rollout.definition.js";
import type { RolloutDevice } from "./rollout.device-table.js";
import { allDevices } from "./rollout.device-table.js";
import type { PlannedRollback } from "./rollout.events.js";

type Who = { actor: string; reason?: string; now: string };

const withReason = (who: Who) => ({
  actor: who.actor,
  ...(who.reason === undefined ? {} : { reason: who.reason }),
  at: who.now,
});

/** Abort: no new assignments, in-flight devices finish, targets not yet started are cancelled. */
export function abortRollout(d: Decision, who: Who): void {
  d.emit({ type: "RolloutAborted", data: withReason(who) });
  cancelQueued(d, who.now);
}

/** A new staged rollout back to each updated (or updating) device's previous revision. */
export function startRollback(d: Decision, who: Who): void {
  const state = d.started();
  const back = allDevices(state.devices).filter((dev) => UPDATED_OR_UPDATING.has(dev.status));
  const withoutPreviousRevision = back
    .filter((dev) => dev.previousRevision === null)
    .map((dev) => dev.deviceId)
    .sort();
  const rollbacks = groupByPrevious(state.rolloutId, back);
  d.emit({
    type: "RolloutRollbackStarted",
    data: { ...withReason(who), rollbackRollouts: rollbacks, withoutPreviousRevision },
  });
  cancelQueued(d, who.now);
  for (const rollback of rollbacks)
    d.send({
      type: "StartRollbackRollout",
      rolloutId: rollback.rolloutId,
      rollbackOf: state.rolloutId,
      definition: rollbackDefinition(state.definition, rollback.revision, rollback.deviceIds),
      actor: who.actor,
      ...(who.reason === undefined ? {} : { reason: who.reason }),
    });
}

const UPDATED_OR_UPDATING = new Set<RolloutDevice["status"]>([
  "downloading",
  "installing",
  "testing",
  "soaking",
  "succeeded",
]);

function cancelQueued(d: Decision, now: string): void {
  const state = d.started();
  const queued = allDevices(state.devices)
    .filter((dev) => dev.status === "assigned" || dev.status === "queued")
    .map((dev) => dev.deviceId)
    .sort();
  if (queued.length === 0) return;
  d.emit({ type: "RolloutTargetsCancelled", data: { deviceIds: queued, at: now } });
  for (const deviceId of queued)
    d.send({
      type: "CancelTarget",
      deviceId,
      revision: state.definition.revision,
      rolloutId: state.rolloutId,
    });
}

function groupByPrevious(rolloutId: string, devices: RolloutDevice[]): PlannedRollback[] {
  const groups = new Map<string, { revision: RevisionRef; deviceIds: string[] }>();
  for (const dev of devices) {
    if (dev.previousRevision === null) continue;
    const key = formatRevision(dev.previousRevision);
    const group = groups.get(key) ?? { revision: dev.previousRevision, deviceIds: [] };
    group.deviceIds.push(dev.deviceId);
    groups.set(key, group);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, group], i) => ({
      rolloutId: `${rolloutId}-rollback-${i + 1}`,
      revision: group.revision,
      deviceIds: group.deviceIds.sort(),
    }));
}

/**
 * Same waves (the last one widened to 100 % so every device is reached), pausing on failure; the
 * same device timeout and pace (a rollback loads the servers as the rollout did).
 */
function rollbackDefinition(
  original: RolloutDefinition,
  revision: RevisionRef,
  ids: string[],
): RolloutDefinition {
  const waves = original.waves.map((wave, i) =>
    i === original.waves.length - 1 ? { ...wave, size: { percent: 100 } } : wave,
  );
  return {
    revision,
    selector: { ids },
    waves,
    policy: { onFailure: "pause", onSuccess: "next" },
    ...(original.deviceTimeoutSeconds === undefined
      ? {}
      : { deviceTimeoutSeconds: original.deviceTimeoutSeconds }),
    ...(original.maxInFlight === undefined ? {} : { maxInFlight: original.maxInFlight }),
  };
}
