import { StateValidationError } from "./errors.js";
import { canonicalJson } from "./json/canonical-json.js";
import { isObjectId, partOfKey } from "./model/classify.js";
import type { Part, State, StateModel } from "./model/types.js";
import { validateState } from "./model/validate-state.js";

/** What changed between two states, and what applying the change takes. */
export interface StateDiff {
  keys: { added: string[]; removed: string[]; changed: string[] };
  parts: { added: string[]; removed: string[]; changed: string[] };
  objects: { added: string[]; removed: string[] };
  /** True when the update needs a reboot (try-boot) rather than container restarts. */
  reboot: boolean;
  /** Why a reboot is needed (empty when it is not). */
  rebootReasons: string[];
  /** Containers to (re)start or stop when no reboot is needed. */
  restart: string[];
}

function modelOf(state: State, label: string): StateModel {
  const { errors, model } = validateState(state);
  if (!model) {
    const first = errors[0];
    throw new StateValidationError(
      "invalid_state",
      `cannot diff: state ${label} is invalid (${errors.length} issue(s), first: ${first?.key}: ${first?.reason})`,
    );
  }
  return model;
}

function objectIds(state: State): Set<string> {
  const ids = new Set<string>();
  for (const [key, value] of Object.entries(state)) {
    if (key !== "#spec" && !key.startsWith("_sigs/") && isObjectId(value)) ids.add(value);
  }
  return ids;
}

// Why a change to `name` needs a reboot, or undefined when restarting containers is enough.
function rebootReason(name: string, before?: Part, after?: Part): string | undefined {
  if (name === "") return "root-level keys changed";
  if (name === "bsp") return "the bsp changed";
  for (const part of [before, after]) {
    if (part?.kind === "container" && part.restartPolicy === "system") {
      return `container ${name} has restart_policy system`;
    }
    if (part?.kind === "other") return `part ${name} is not a container`;
  }
  return undefined;
}

/** Compares two valid states: keys, parts, objects, and reboot-vs-restart classification. */
export function diffStates(a: State, b: State): StateDiff {
  const modelA = modelOf(a, "A");
  const modelB = modelOf(b, "B");
  const keysA = new Set(Object.keys(a));
  const keysB = new Set(Object.keys(b));
  const added = [...keysB].filter((k) => !keysA.has(k)).sort();
  const removed = [...keysA].filter((k) => !keysB.has(k)).sort();
  const changed = [...keysA]
    .filter((k) => keysB.has(k) && canonicalJson(a[k]) !== canonicalJson(b[k]))
    .sort();
  // Signatures say nothing about what runs; they never force a restart by themselves.
  const touched = new Set(
    [...added, ...removed, ...changed].filter((k) => !k.startsWith("_sigs/")).map(partOfKey),
  );
  const partsA = new Map(modelA.parts.map((p) => [p.name, p]));
  const partsB = new Map(modelB.parts.map((p) => [p.name, p]));
  const rebootReasons: string[] = [];
  const restart: string[] = [];
  for (const name of [...touched].sort()) {
    const reason = rebootReason(name, partsA.get(name), partsB.get(name));
    if (reason) rebootReasons.push(reason);
    else restart.push(name);
  }
  const idsA = objectIds(a);
  const idsB = objectIds(b);
  const reboot = rebootReasons.length > 0;
  return {
    keys: { added, removed, changed },
    parts: {
      added: [...partsB.keys()].filter((p) => !partsA.has(p)).sort(),
      removed: [...partsA.keys()].filter((p) => !partsB.has(p)).sort(),
      changed: [...touched].filter((p) => partsA.has(p) && partsB.has(p)).sort(),
    },
    objects: {
      added: [...idsB].filter((id) => !idsA.has(id)).sort(),
      removed: [...idsA].filter((id) => !idsB.has(id)).sort(),
    },
    reboot,
    rebootReasons,
    restart: reboot ? [] : restart,
  };
}
