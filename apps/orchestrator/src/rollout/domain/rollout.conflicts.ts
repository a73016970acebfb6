/** A rollout that currently holds devices (not completed, aborted or rolled back). */
export type ActiveRolloutClaim = { rolloutId: string; deviceIds: readonly string[] };

export type DeviceConflict = { deviceId: string; rolloutId: string };

/** One rollout at a time per device: every device of the new rollout another rollout holds. */
export function findConflicts(
  deviceIds: readonly string[],
  activeRollouts: readonly ActiveRolloutClaim[],
): DeviceConflict[] {
  const holder = new Map<string, string>();
  for (const claim of activeRollouts)
    for (const id of claim.deviceIds) if (!holder.has(id)) holder.set(id, claim.rolloutId);
  const conflicts: DeviceConflict[] = [];
  for (const deviceId of new Set(deviceIds)) {
    const rolloutId = holder.get(deviceId);
    if (rolloutId !== undefined) conflicts.push({ deviceId, rolloutId });
  }
  return conflicts;
}

export function describeConflicts(conflicts: readonly DeviceConflict[]): string {
  const byRollout = new Map<string, string[]>();
  for (const { deviceId, rolloutId } of conflicts)
    byRollout.set(rolloutId, [...(byRollout.get(rolloutId) ?? []), deviceId]);
  return [...byRollout]
    .map(([rolloutId, ids]) => {
      const shown =
        ids.slice(0, 5).join(", ") + (ids.length > 5 ? ` and ${ids.length - 5} more` : "");
      return `rollout ${rolloutId} already holds ${ids.length} device(s): ${shown}`;
    })
    .join("; ");
}
