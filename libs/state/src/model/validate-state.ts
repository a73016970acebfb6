import { isJsonObject, type JsonValue } from "../json/json-value.js";
import { unsafePathReason } from "../path-safety.js";
import { validateBspRun } from "./bsp-run.js";
import { classifyKey, isObjectId, partOfKey } from "./classify.js";
import { declaredGroups, resolveGroups } from "./groups.js";
import { describeType, IssueList } from "./issues.js";
import { validateRunJson } from "./run-json.js";
import type { GroupSpec, Part, RunJson, State, StateIssue, StateModel } from "./types.js";
import { PVS_SPEC, STATE_SPEC } from "./types.js";

/** Result of validating a state: every issue found, and the model when there are none. */
export interface StateValidation {
  errors: StateIssue[];
  model?: StateModel;
}

function checkEntry(key: string, value: JsonValue, issues: IssueList): void {
  switch (classifyKey(key, value)) {
    case "spec":
      if (value !== STATE_SPEC)
        issues.add(key, `must be "${STATE_SPEC}", got ${JSON.stringify(value)}`);
      return;
    case "signature": {
      const name = key.slice("_sigs/".length);
      if (name.includes("/") || !name.endsWith(".json")) {
        issues.add(key, "signature keys must be _sigs/<name>.json");
      }
      if (!isJsonObject(value))
        issues.add(key, `must be a signature object, got ${describeType(value)}`);
      else {
        if (value["#spec"] !== PVS_SPEC) issues.add(key, `"#spec" must be "${PVS_SPEC}"`);
        if (typeof value.protected !== "string") issues.add(key, `"protected" must be a string`);
        if (typeof value.signature !== "string") issues.add(key, `"signature" must be a string`);
      }
      return;
    }
    case "config":
      if (key.split("/").length < 3)
        issues.add(key, "config keys must be _config/<container>/<path>");
      if (!key.endsWith(".json") && !isObjectId(value)) {
        issues.add(
          key,
          `must be a sha256 object id (64 lowercase hex), got ${describeType(value)}`,
        );
      }
      return;
    case "json":
      return;
    case "object":
      if (!isObjectId(value)) {
        issues.add(
          key,
          `must be a sha256 object id (64 lowercase hex), got ${describeType(value)}`,
        );
      }
  }
}

/**
 * The group of a container whose run.json names none, as Pantavisor sets it: with declared
 * groups, the last one; with the default groups (its "runlevels"), the first such container
 * by name goes to `root` when no container claims `root`, the others to `platform`.
 */
function defaultGroup(name: string, runs: Map<string, RunJson>, state: State, groups: GroupSpec[]) {
  if (declaredGroups(state) !== undefined) return groups.at(-1)?.name ?? "platform";
  const claimed = [...runs.values()].some((r) => r.group === "root");
  const ungrouped = [...runs.keys()].filter((n) => runs.get(n)?.group === undefined).sort();
  return !claimed && ungrouped[0] === name ? "root" : "platform";
}

function buildParts(state: State, keys: string[], groups: GroupSpec[], issues: IssueList): Part[] {
  const byPart = new Map<string, string[]>();
  for (const key of keys) {
    if (key.startsWith("_sigs/")) continue;
    const part = partOfKey(key);
    byPart.set(part, [...(byPart.get(part) ?? []), key]);
  }
  const runs = new Map<string, RunJson>();
  for (const name of byPart.keys()) {
    if (name === "" || name === "bsp" || !(`${name}/run.json` in state)) continue;
    const run = validateRunJson(state, name, state[`${name}/run.json`], issues);
    if (run) runs.set(name, run);
  }
  const parts: Part[] = [];
  for (const [name, partKeys] of byPart) {
    if (name === "") parts.push({ kind: "root", name: "", keys: partKeys });
    else if (name === "bsp") {
      const run =
        "bsp/run.json" in state ? validateBspRun(state, state["bsp/run.json"], issues) : undefined;
      parts.push({ kind: "bsp", name: "bsp", keys: partKeys, ...(run ? { run } : {}) });
    } else {
      const run = runs.get(name);
      if (!run) {
        parts.push({ kind: "other", name, keys: partKeys });
        continue;
      }
      const groupName = run.group ?? defaultGroup(name, runs, state, groups);
      const group = groups.find((g) => g.name === groupName);
      if (!group)
        issues.add(`${name}/run.json`, `group ${JSON.stringify(groupName)} is not defined`);
      parts.push({
        kind: "container",
        name,
        keys: partKeys,
        run,
        group: groupName,
        statusGoal: run.statusGoal ?? group?.statusGoal ?? "STARTED",
        restartPolicy: run.restartPolicy ?? group?.restartPolicy ?? "system",
      });
    }
  }
  return parts;
}

/** Validates a state object; reports every problem, each naming its key and the reason. */
export function validateState(input: unknown): StateValidation {
  const issues = new IssueList();
  if (!isJsonObject(input)) {
    issues.add("", `a state must be a JSON object, got ${describeType(input)}`);
    return { errors: issues.items };
  }
  const state = input as State;
  const keys = Object.keys(state);
  if (!("#spec" in state)) issues.add("#spec", "missing");
  const safeKeys: string[] = [];
  for (const key of keys) {
    const reason = key === "#spec" ? undefined : unsafePathReason(key);
    if (reason !== undefined) {
      issues.add(key, `unsafe key: ${reason}`);
      continue;
    }
    safeKeys.push(key);
    checkEntry(key, state[key] as JsonValue, issues);
  }
  const groups = resolveGroups(state, issues);
  const parts = buildParts(state, safeKeys, groups, issues);
  if (issues.items.length > 0) return { errors: issues.items };
  const objects = new Set<string>();
  for (const key of keys) {
    const value = state[key];
    if (key !== "#spec" && !key.startsWith("_sigs/") && isObjectId(value)) objects.add(value);
  }
  const signatures = keys.filter((k) => k.startsWith("_sigs/"));
  return { errors: [], model: { parts, groups, objects: [...objects].sort(), signatures } };
}
