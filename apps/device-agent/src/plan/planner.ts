import type { PartSpec, RevisionSpec } from "../model/revision.js";
import type { Step } from "./steps.js";

/** What the device runs now: the committed revision and the containers present in the lxcpath. */
export interface DeviceSnapshot {
  committed: RevisionSpec | undefined;
  containers: string[];
}

function partsByGroup(revision: RevisionSpec, only?: Set<string>): [string, PartSpec[], number][] {
  return revision.groups
    .map((group): [string, PartSpec[], number] => [
      group.name,
      revision.parts.filter((p) => p.group === group.name && (!only || only.has(p.name))),
      group.timeoutMs,
    ])
    .filter(([, parts]) => parts.length > 0);
}

function startGroups(revision: RevisionSpec, only?: Set<string>): Step[] {
  const steps: Step[] = [];
  for (const [group, parts, timeoutMs] of partsByGroup(revision, only)) {
    for (const part of parts) {
      steps.push({ action: "prepareContainer", revision: revision.id, part });
      if (part.statusGoal !== "MOUNTED")
        steps.push({ action: "startContainer", revision: revision.id, part });
    }
    steps.push({ action: "awaitGroup", group, parts, timeoutMs });
  }
  return steps;
}

/** Stops containers in reverse group order, unknown ones (orphans) first. */
function stopAll(names: string[], revision: RevisionSpec | undefined): Step[] {
  const order = (name: string) => {
    const part = revision?.parts.find((p) => p.containerName === name);
    return part
      ? revision!.groups.findIndex((g) => g.name === part.group)
      : Number.MAX_SAFE_INTEGER;
  };
  return [...names]
    .sort((a, b) => order(b) - order(a) || (a < b ? -1 : 1))
    .map((name): Step => ({ action: "stopContainer", name }));
}

/** True when going from `from` to `to` needs a reboot (try-boot) rather than restarting parts. */
export function needsReboot(from: RevisionSpec | undefined, to: RevisionSpec): boolean {
  if (!from || from.systemDigest !== to.systemDigest) return true;
  const names = new Set([...from.parts, ...to.parts].map((p) => p.name));
  for (const name of names) {
    const a = from.parts.find((p) => p.name === name);
    const b = to.parts.find((p) => p.name === name);
    if (a?.digest === b?.digest) continue;
    if (a?.restartPolicy === "system" || b?.restartPolicy === "system") return true;
  }
  return false;
}

/**
 * Boot a revision from scratch, as a reboot does: every container stopped, then each
 * group started in order and awaited.
 */
export function planBoot(
  containers: string[],
  revision: RevisionSpec,
  committed?: RevisionSpec,
): Step[] {
  return [...stopAll(containers, committed ?? revision), ...startGroups(revision)];
}

/** After an agent restart: keep what belongs to `revision`, remove the rest, start what is missing. */
export function planReconcile(containers: string[], revision: RevisionSpec | undefined): Step[] {
  const wanted = new Set(revision?.parts.map((p) => p.containerName) ?? []);
  const orphans = containers.filter((name) => !wanted.has(name));
  if (!revision) return stopAll(orphans, undefined);
  const present = new Set(containers);
  const missing = new Set(
    revision.parts.filter((p) => !present.has(p.containerName)).map((p) => p.name),
  );
  return [
    ...stopAll(orphans, undefined),
    ...(missing.size > 0 ? startGroups(revision, missing) : []),
  ];
}

/** The pure plan from what runs now to the target revision. Empty when already there. */
export function planSteps(current: DeviceSnapshot, target: RevisionSpec): Step[] {
  if (current.committed?.id === target.id) return [];
  const watch = target.parts.filter((p) => p.statusGoal !== "MOUNTED").map((p) => p.containerName);
  const tail: Step[] = [{ action: "awaitCommitDelay", revision: target.id, watch }];
  if (needsReboot(current.committed, target)) {
    return [
      { action: "beginTry", revision: target.id },
      ...planBoot(current.containers, target, current.committed),
      ...tail,
      { action: "commit", revision: target.id, outcome: "DONE" },
    ];
  }
  const keep = new Set(target.parts.map((p) => p.containerName));
  const stale = current.containers.filter((name) => !keep.has(name));
  const present = new Set(current.containers);
  const changed = new Set(
    target.parts.filter((p) => !present.has(p.containerName)).map((p) => p.name),
  );
  return [
    { action: "beginTry", revision: target.id },
    ...stopAll(stale, current.committed),
    ...startGroups(target, changed),
    ...tail,
    { action: "commit", revision: target.id, outcome: "UPDATED" },
  ];
}
