import type { GroupSpec, RestartPolicy, StatusGoal } from "./revision.js";
import { InvalidStateError, recoveryOf } from "./revision.js";

const DEFAULT_TIMEOUT_MS = 30_000;
/** Pantavisor gives a group without an explicit timeout two minutes. */
const UNSET_TIMEOUT_MS = 120_000;

const DEFAULT_GROUPS: [string, StatusGoal, RestartPolicy][] = [
  ["data", "MOUNTED", "system"],
  ["root", "STARTED", "system"],
  ["platform", "STARTED", "system"],
  ["app", "STARTED", "container"],
];

function asGoal(value: unknown, where: string): StatusGoal {
  if (value === undefined) return "STARTED";
  if (value === "MOUNTED" || value === "STARTED" || value === "READY") return value;
  throw new InvalidStateError(
    `${where}: status_goal ${String(value)} is not MOUNTED|STARTED|READY`,
  );
}

function asPolicy(value: unknown, where: string): RestartPolicy {
  if (value === undefined) return "system";
  if (value === "system" || value === "container") return value;
  throw new InvalidStateError(`${where}: restart_policy ${String(value)} is not system|container`);
}

/**
 * Groups come from `device.json` `groups` or the top-level `groups.json`, else the
 * defaults. `defaultTimeoutMs` (agent config) replaces the built-in timeouts.
 */
export function groupsFromState(
  state: Record<string, unknown>,
  defaultTimeoutMs?: number,
): GroupSpec[] {
  const device = state["device.json"];
  const declared =
    (typeof device === "object" && device !== null && "groups" in device
      ? (device as { groups: unknown }).groups
      : undefined) ?? state["groups.json"];
  if (declared === undefined) {
    return DEFAULT_GROUPS.map(([name, statusGoal, restartPolicy]) => ({
      name,
      statusGoal,
      restartPolicy,
      timeoutMs: defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS,
    }));
  }
  if (!Array.isArray(declared)) throw new InvalidStateError("groups is not an array");
  return declared.map((raw, index) => {
    if (typeof raw !== "object" || raw === null)
      throw new InvalidStateError(`group ${index} is not an object`);
    const group = raw as Record<string, unknown>;
    if (typeof group.name !== "string" || group.name === "") {
      throw new InvalidStateError(`group ${index} has no name`);
    }
    const seconds = group.timeout;
    const timeoutMs =
      defaultTimeoutMs ??
      (typeof seconds === "number" && seconds > 0 ? seconds * 1000 : UNSET_TIMEOUT_MS);
    const autoRecovery = recoveryOf(`group ${group.name}`, group.auto_recovery);
    return {
      name: group.name,
      statusGoal: asGoal(group.status_goal, `group ${group.name}`),
      restartPolicy: asPolicy(group.restart_policy, `group ${group.name}`),
      timeoutMs,
      ...(autoRecovery ? { autoRecovery } : {}),
    };
  });
}
