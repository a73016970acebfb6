import { isJsonObject, type JsonValue, jsonNumberValue } from "../json/json-value.js";
import type { IssueList } from "./issues.js";
import { RESTART_POLICIES, STATUS_GOALS } from "./run-json.js";
import type { GroupSpec, RestartPolicy, State, StatusGoal } from "./types.js";

/** Timeout of a group that names none (DESIGN §4). */
export const DEFAULT_GROUP_TIMEOUT_S = 120;

/** Pantavisor's default groups, used when the state defines none. */
export const DEFAULT_GROUPS: readonly GroupSpec[] = [
  { name: "data", statusGoal: "MOUNTED", restartPolicy: "system", timeoutSeconds: 30 },
  { name: "root", statusGoal: "STARTED", restartPolicy: "system", timeoutSeconds: 30 },
  { name: "platform", statusGoal: "STARTED", restartPolicy: "system", timeoutSeconds: 30 },
  { name: "app", statusGoal: "STARTED", restartPolicy: "container", timeoutSeconds: 30 },
];

function groupFrom(entry: JsonValue, index: number, key: string, issues: IssueList) {
  const where = `groups[${index}]`;
  if (!isJsonObject(entry)) {
    issues.add(key, `${where} must be an object`);
    return undefined;
  }
  const { name, status_goal, restart_policy, timeout, description, auto_recovery } = entry;
  if (typeof name !== "string" || name === "") {
    issues.add(key, `${where}.name must be a non-empty string`);
    return undefined;
  }
  const goal = status_goal ?? "STARTED";
  if (typeof goal !== "string" || !(STATUS_GOALS as string[]).includes(goal)) {
    issues.add(key, `${where}.status_goal must be one of ${STATUS_GOALS.join(", ")}`);
    return undefined;
  }
  const policy = restart_policy ?? "system";
  if (typeof policy !== "string" || !(RESTART_POLICIES as string[]).includes(policy)) {
    issues.add(key, `${where}.restart_policy must be one of ${RESTART_POLICIES.join(", ")}`);
    return undefined;
  }
  const seconds = timeout === undefined ? DEFAULT_GROUP_TIMEOUT_S : jsonNumberValue(timeout);
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) {
    issues.add(key, `${where}.timeout must be a positive number of seconds`);
    return undefined;
  }
  const group: GroupSpec = {
    name,
    statusGoal: goal as StatusGoal,
    restartPolicy: policy as RestartPolicy,
    timeoutSeconds: seconds,
  };
  if (typeof description === "string") group.description = description;
  if (auto_recovery !== undefined) group.autoRecovery = auto_recovery;
  return group;
}

/** The groups a state declares (`device.json` `groups`, else `groups.json`) and their key. */
export function declaredGroups(state: State): { key: string; list: JsonValue } | undefined {
  const device = state["device.json"];
  const own = isJsonObject(device) ? device.groups : undefined;
  if (own !== undefined) return { key: "device.json", list: own };
  const list = state["groups.json"];
  return list === undefined ? undefined : { key: "groups.json", list };
}

/** The state's groups: `device.json` `groups`, else `groups.json`, else the defaults. */
export function resolveGroups(state: State, issues: IssueList): GroupSpec[] {
  const declared = declaredGroups(state);
  if (declared === undefined) return DEFAULT_GROUPS.map((g) => ({ ...g }));
  const { key, list } = declared;
  if (!Array.isArray(list)) {
    issues.add(key, "groups must be an array");
    return [];
  }
  const groups: GroupSpec[] = [];
  list.forEach((entry, index) => {
    const group = groupFrom(entry, index, key, issues);
    if (!group) return;
    if (groups.some((g) => g.name === group.name)) {
      issues.add(key, `groups[${index}].name ${JSON.stringify(group.name)} is defined twice`);
    } else groups.push(group);
  });
  return groups;
}
