import { createHash } from "node:crypto";
import {
  type AutoRecoveryPolicy,
  InvalidRecoveryError,
  parseAutoRecovery,
} from "../recovery/auto-recovery.js";
import { groupsFromState } from "./groups.js";

export type StatusGoal = "MOUNTED" | "STARTED" | "READY";
export type RestartPolicy = "system" | "container";

export interface GroupSpec {
  name: string;
  statusGoal: StatusGoal;
  restartPolicy: RestartPolicy;
  timeoutMs: number;
  /** The group's default `auto_recovery` for its parts. */
  autoRecovery?: AutoRecoveryPolicy;
}

/** Pantavisor's storage persistence: kept across updates, for one part's content, or per boot. */
export type Persistence = "permanent" | "revision" | "boot";

/** A run.json `storage` entry other than `lxc-overlay`: `/volumes/<part>/<name>` on the host. */
export interface VolumeSpec {
  name: string;
  persistence: Persistence;
}

/** A `_config/<part>/<path>` file: the object mounted read-only at `/<path>` in the container. */
export interface ConfigFileSpec {
  path: string;
  object: string;
}

/** One container of a revision, as the agent needs it to run it. */
export interface PartSpec {
  name: string;
  group: string;
  statusGoal: StatusGoal;
  restartPolicy: RestartPolicy;
  /** run.json `auto_recovery` (else the group's); acted on for `container`-policy parts only. */
  autoRecovery: AutoRecoveryPolicy | undefined;
  /** State key of the part's LXC config object (`<part>/lxc.container.conf`). */
  configKey: string;
  /** State key of the root volume object and how to mount it. */
  rootVolumeKey: string;
  rootVolumeKind: "squashfs" | "tar";
  /** Object ids of the LXC config and the root volume. */
  configObject: string;
  rootObject: string;
  volumes: VolumeSpec[];
  configFiles: ConfigFileSpec[];
  /** Hash over every key of the part (and its `_config/`), so a change is visible by value. */
  digest: string;
  /** LXC container name: part name plus the part's content digest. */
  containerName: string;
}

export interface RevisionSpec {
  /** sha256 of the canonical state: the local id of the revision (trail name, boot.env value). */
  id: string;
  /** The revision reference as the orchestrator names it (reports carry it). */
  ref: string;
  groups: GroupSpec[];
  parts: PartSpec[];
  /** Digest of the keys outside any part (bsp/, device.json, ...): a change needs a reboot. */
  systemDigest: string;
  /** Object ids referenced by the state (every non-JSON key's value). */
  objects: string[];
  state: Record<string, unknown>;
}

export class InvalidStateError extends Error {
  override readonly name = "InvalidStateError";
  readonly reason = "invalid_state";
}

const PART_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const PERSISTENCE: readonly Persistence[] = ["permanent", "revision", "boot"];
/** A relative path without `.`/`..` segments or odd characters. */
const CONFIG_PATH = /^(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._@+-][A-Za-z0-9._@+/-]{0,511}$/;

function volumesOf(name: string, storage: unknown): VolumeSpec[] {
  if (storage === undefined) return [];
  if (typeof storage !== "object" || storage === null || Array.isArray(storage))
    throw new InvalidStateError(`part ${name}: storage is not an object`);
  return Object.entries(storage)
    .filter(([volume]) => volume !== "lxc-overlay")
    .map(([volume, spec]) => {
      if (!VOLUME_NAME.test(volume))
        throw new InvalidStateError(
          `part ${name}: storage name ${JSON.stringify(volume)} is not allowed`,
        );
      const persistence = (spec as { persistence?: unknown } | null)?.persistence ?? "permanent";
      if (!PERSISTENCE.includes(persistence as Persistence))
        throw new InvalidStateError(
          `part ${name}: storage ${volume} persistence ${String(persistence)} is not ${PERSISTENCE.join("|")}`,
        );
      return { name: volume, persistence: persistence as Persistence };
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

function configFilesOf(name: string, entries: [string, unknown][]): ConfigFileSpec[] {
  const prefix = `_config/${name}/`;
  return entries
    .filter(([key]) => key.startsWith(prefix))
    .map(([key, value]) => {
      const path = key.slice(prefix.length);
      if (!CONFIG_PATH.test(path))
        throw new InvalidStateError(
          `part ${name}: config path ${JSON.stringify(path)} is not allowed`,
        );
      if (typeof value !== "string" || !SHA256.test(value))
        throw new InvalidStateError(`part ${name}: ${key} is not an object id`);
      return { path, object: value };
    })
    .sort((a, b) => (a.path < b.path ? -1 : 1));
}
const SHA256 = /^[0-9a-f]{64}$/;

function digestOf(entries: [string, unknown][]): string {
  const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash("sha256").update(JSON.stringify(sorted)).digest("hex");
}

function partOf(key: string): string | undefined {
  if (key.startsWith("_sigs/") || key === "#spec" || key.startsWith("bsp/")) return undefined;
  if (key.startsWith("_config/")) return key.split("/")[1];
  const slash = key.indexOf("/");
  return slash > 0 ? key.slice(0, slash) : undefined;
}

export function objectIdsOf(state: Record<string, unknown>): string[] {
  const ids = new Set<string>();
  for (const [key, value] of Object.entries(state)) {
    if (key === "#spec") continue;
    if (typeof value === "string" && SHA256.test(value)) ids.add(value);
    else if (!key.endsWith(".json")) throw new InvalidStateError(`key ${key} is not an object id`);
  }
  return [...ids].sort();
}

function parsePart(
  name: string,
  run: Record<string, unknown>,
  entries: [string, unknown][],
  groups: GroupSpec[],
): PartSpec {
  if (!PART_NAME.test(name))
    throw new InvalidStateError(`part name ${JSON.stringify(name)} is not allowed`);
  if (run.type !== undefined && run.type !== "lxc") {
    throw new InvalidStateError(
      `part ${name}: type ${String(run.type)} is not supported (lxc only)`,
    );
  }
  const groupName = typeof run.group === "string" ? run.group : "app";
  const group = groups.find((g) => g.name === groupName);
  if (!group) throw new InvalidStateError(`part ${name}: unknown group ${groupName}`);
  const config = typeof run.config === "string" ? run.config : "lxc.container.conf";
  const root = run["root-volume"];
  if (typeof root !== "string")
    throw new InvalidStateError(`part ${name}: run.json has no root-volume`);
  const objectAt = (key: string): string => {
    const value = entries.find(([k]) => k === key)?.[1];
    if (typeof value !== "string" || !SHA256.test(value)) {
      throw new InvalidStateError(`part ${name}: state has no object at ${key}`);
    }
    return value;
  };
  const configObject = objectAt(`${name}/${config}`);
  const rootObject = objectAt(`${name}/${root}`);
  const goal = run.status_goal ?? group.statusGoal;
  if (goal !== "MOUNTED" && goal !== "STARTED" && goal !== "READY") {
    throw new InvalidStateError(
      `part ${name}: status_goal ${String(goal)} is not MOUNTED|STARTED|READY`,
    );
  }
  const policy = run.restart_policy ?? group.restartPolicy;
  if (policy !== "system" && policy !== "container") {
    throw new InvalidStateError(
      `part ${name}: restart_policy ${String(policy)} is not system|container`,
    );
  }
  const digest = digestOf(entries);
  return {
    name,
    group: group.name,
    statusGoal: goal,
    restartPolicy: policy,
    autoRecovery: recoveryOf(name, run.auto_recovery) ?? group.autoRecovery,
    configKey: `${name}/${config}`,
    rootVolumeKey: `${name}/${root}`,
    rootVolumeKind: root.endsWith(".squashfs") ? "squashfs" : "tar",
    configObject,
    rootObject,
    volumes: volumesOf(name, run.storage),
    configFiles: configFilesOf(name, entries),
    digest,
    containerName: `${name}.${digest.slice(0, 12)}`,
  };
}

export function recoveryOf(where: string, value: unknown): AutoRecoveryPolicy | undefined {
  try {
    return parseAutoRecovery(value);
  } catch (error) {
    if (!(error instanceof InvalidRecoveryError)) throw error;
    throw new InvalidStateError(`${where}: ${error.message}`);
  }
}

/** Reads the parts, groups and system digest of a verified state. */
export function revisionFromState(
  state: Record<string, unknown>,
  id: string,
  ref: string,
  defaultGroupTimeoutMs?: number,
): RevisionSpec {
  if (!SHA256.test(id)) throw new InvalidStateError(`revision id ${id} is not a sha256`);
  const groups = groupsFromState(state, defaultGroupTimeoutMs);
  const byPart = new Map<string, [string, unknown][]>();
  const system: [string, unknown][] = [];
  for (const entry of Object.entries(state)) {
    const part = partOf(entry[0]);
    if (entry[0].startsWith("_sigs/")) continue;
    if (part === undefined || !(`${part}/run.json` in state)) system.push(entry);
    else byPart.set(part, [...(byPart.get(part) ?? []), entry]);
  }
  const parts = [...byPart.entries()]
    .map(([name, entries]) => {
      const run = state[`${name}/run.json`];
      if (typeof run !== "object" || run === null || Array.isArray(run)) {
        throw new InvalidStateError(`part ${name}: run.json is not an object`);
      }
      return parsePart(name, run as Record<string, unknown>, entries, groups);
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  return {
    id,
    ref,
    groups,
    parts,
    systemDigest: digestOf(system),
    objects: objectIdsOf(state),
    state,
  };
}
