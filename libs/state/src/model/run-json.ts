import { isJsonObject, type JsonValue } from "../json/json-value.js";
import { unsafePathReason } from "../path-safety.js";
import { describeType, type IssueList } from "./issues.js";
import type { Persistence, RestartPolicy, RunJson, State, StatusGoal } from "./types.js";
import { RUN_SPEC } from "./types.js";

export const STATUS_GOALS: readonly StatusGoal[] = ["MOUNTED", "STARTED", "READY"];
export const RESTART_POLICIES: readonly RestartPolicy[] = ["system", "container"];
const PERSISTENCES: readonly Persistence[] = ["permanent", "revision", "boot"];

function stringField(
  raw: Record<string, JsonValue>,
  field: string,
  key: string,
  issues: IssueList,
) {
  const value = raw[field];
  if (typeof value === "string" && value !== "") return value;
  issues.add(key, `"${field}" must be a non-empty string, got ${describeType(value)}`);
  return undefined;
}

function enumField<T extends string>(
  raw: Record<string, JsonValue>,
  field: string,
  allowed: readonly T[],
  key: string,
  issues: IssueList,
): T | undefined {
  const value = raw[field];
  if (value === undefined) return undefined;
  if (typeof value === "string" && (allowed as readonly string[]).includes(value))
    return value as T;
  issues.add(key, `"${field}" must be one of ${allowed.join(", ")}, got ${JSON.stringify(value)}`);
  return undefined;
}

/** Strips a volume-handler prefix such as `dm:` from a volume reference. */
export function volumeFile(ref: string): string {
  const colon = ref.indexOf(":");
  return colon === -1 ? ref : ref.slice(colon + 1);
}

function checkLocalFile(
  state: State,
  ctr: string,
  file: string,
  field: string,
  key: string,
  issues: IssueList,
) {
  const reason = unsafePathReason(file);
  if (reason !== undefined)
    issues.add(key, `"${field}" ${JSON.stringify(file)} is unsafe: ${reason}`);
  else if (!(`${ctr}/${file}` in state))
    issues.add(key, `"${field}" refers to missing key ${ctr}/${file}`);
}

function parseStorage(value: JsonValue | undefined, key: string, issues: IssueList) {
  const storage: RunJson["storage"] = {};
  if (value === undefined) return storage;
  if (!isJsonObject(value)) {
    issues.add(key, `"storage" must be an object, got ${describeType(value)}`);
    return storage;
  }
  for (const [volume, spec] of Object.entries(value)) {
    const persistence = isJsonObject(spec) ? spec.persistence : undefined;
    if (typeof persistence === "string" && (PERSISTENCES as string[]).includes(persistence)) {
      storage[volume] = { persistence: persistence as Persistence };
    } else {
      const got =
        typeof persistence === "string"
          ? JSON.stringify(persistence)
          : persistence === undefined
            ? "none"
            : describeType(persistence);
      issues.add(
        key,
        `"storage.${volume}.persistence" must be one of ${PERSISTENCES.join(", ")}, got ${got}`,
      );
    }
  }
  return storage;
}

/** Validates `<ctr>/run.json`; returns undefined (with issues added) when it is unusable. */
export function validateRunJson(
  state: State,
  ctr: string,
  value: JsonValue | undefined,
  issues: IssueList,
): RunJson | undefined {
  const key = `${ctr}/run.json`;
  if (!isJsonObject(value)) {
    issues.add(key, `must be an inline JSON object, got ${describeType(value)}`);
    return undefined;
  }
  const before = issues.items.length;
  if (value["#spec"] !== RUN_SPEC) issues.add(key, `"#spec" must be "${RUN_SPEC}"`);
  const name = stringField(value, "name", key, issues);
  if (value.type !== "lxc")
    issues.add(key, `"type" must be "lxc", got ${JSON.stringify(value.type)}`);
  const config = stringField(value, "config", key, issues);
  if (config !== undefined) checkLocalFile(state, ctr, config, "config", key, issues);
  const rootVolume = stringField(value, "root-volume", key, issues);
  if (rootVolume !== undefined)
    checkLocalFile(state, ctr, volumeFile(rootVolume), "root-volume", key, issues);
  const volumes: string[] = [];
  if (value.volumes !== undefined) {
    if (Array.isArray(value.volumes) && value.volumes.every((v) => typeof v === "string")) {
      volumes.push(...(value.volumes as string[]));
    } else issues.add(key, `"volumes" must be an array of strings`);
  }
  const storage = parseStorage(value.storage, key, issues);
  const group = value.group;
  if (group !== undefined && (typeof group !== "string" || group === "")) {
    issues.add(key, `"group" must be a non-empty string`);
  }
  const statusGoal = enumField(value, "status_goal", STATUS_GOALS, key, issues);
  const restartPolicy = enumField(value, "restart_policy", RESTART_POLICIES, key, issues);
  if (issues.items.length > before || !name || !config || !rootVolume) return undefined;
  return {
    name,
    type: "lxc",
    config,
    rootVolume,
    volumes,
    storage,
    ...(typeof group === "string" ? { group } : {}),
    ...(statusGoal ? { statusGoal } : {}),
    ...(restartPolicy ? { restartPolicy } : {}),
    ...(value.auto_recovery !== undefined ? { autoRecovery: value.auto_recovery } : {}),
    raw: value,
  };
}
