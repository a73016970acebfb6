import type { JsonObject, JsonValue } from "../json/json-value.js";

/** A state revision: one flat JSON object keyed by relative path (pantavisor-service-system@1). */
export type State = Record<string, JsonValue>;

/** The spec every state declares under `#spec`. */
export const STATE_SPEC = "pantavisor-service-system@1";
/** The spec of a container's run.json. */
export const RUN_SPEC = "service-manifest-run@1";
/** The spec of a signature entry under `_sigs/`. */
export const PVS_SPEC = "pvs@2";

/** What a container must reach before the next group starts. */
export type StatusGoal = "MOUNTED" | "STARTED" | "READY";
/** Whether a change to the container needs a reboot (`system`) or a restart (`container`). */
export type RestartPolicy = "system" | "container";
/** Lifetime of a container volume. */
export type Persistence = "permanent" | "revision" | "boot";

/** How a key is interpreted. */
export type KeyKind = "spec" | "signature" | "config" | "json" | "object";

/** `<ctr>/run.json` (`service-manifest-run@1`) as validated. */
export interface RunJson {
  name: string;
  type: "lxc";
  config: string;
  rootVolume: string;
  volumes: string[];
  storage: Record<string, { persistence: Persistence }>;
  group?: string;
  statusGoal?: StatusGoal;
  restartPolicy?: RestartPolicy;
  autoRecovery?: JsonValue;
  raw: JsonObject;
}

/** `bsp/run.json` as validated; file names are relative to `bsp/`. */
export interface BspRunJson {
  linux?: string;
  initrd?: string;
  fdt?: string;
  fit?: string;
  modules?: string;
  firmware?: string;
  initrdConfig?: string;
  addons: string[];
  raw: JsonObject;
}

/** A start-up group (from `device.json`, `groups.json`, or the defaults). */
export interface GroupSpec {
  name: string;
  statusGoal: StatusGoal;
  restartPolicy: RestartPolicy;
  timeoutSeconds: number;
  description?: string;
  /** The group's `auto_recovery` as written (its parts' default); the agent checks it. */
  autoRecovery?: JsonValue;
}

/** A part of the state: the bsp, one container, or the root-level keys. */
export type Part =
  | { kind: "bsp"; name: "bsp"; keys: string[]; run?: BspRunJson }
  | {
      kind: "container";
      name: string;
      keys: string[];
      run: RunJson;
      group: string;
      statusGoal: StatusGoal;
      restartPolicy: RestartPolicy;
    }
  | { kind: "root"; name: ""; keys: string[] }
  | { kind: "other"; name: string; keys: string[] };

/** One problem found in a state: the key it concerns and why. */
export interface StateIssue {
  key: string;
  reason: string;
}

/** The structure derived from a valid state. */
export interface StateModel {
  parts: Part[];
  groups: GroupSpec[];
  /** Distinct object ids referenced by the state, sorted. */
  objects: string[];
  /** Keys of `_sigs/` entries. */
  signatures: string[];
}
