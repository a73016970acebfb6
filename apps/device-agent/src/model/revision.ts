import { createHash } from "node:crypto";
import {
  type BspRunJson,
  canonicalJson,
  isObjectId,
  loadState,
  type Part,
  type Persistence,
  type RestartPolicy,
  type RunJson,
  type GroupSpec as StateGroupSpec,
  type StateModel,
  StateValidationError,
  type StatusGoal,
  volumeFile,
} from "@statecast/state";
import {
  type AutoRecoveryPolicy,
  InvalidRecoveryError,
  parseAutoRecovery,
} from "../recovery/auto-recovery.js";

// The state's structure (parts, groups and their defaults, run.json and bsp/run.json) is
// libs/state's model; this file adds only what the agent derives to run it.
export type { Persistence, RestartPolicy, StatusGoal };

/** A start-up group as the agent runs it: its timeout in ms, its `auto_recovery` checked. */
export interface GroupSpec extends Pick<StateGroupSpec, "name" | "statusGoal" | "restartPolicy"> {
  timeoutMs: number;
  /** The group's default `auto_recovery` for its parts. */
  autoRecovery?: AutoRecoveryPolicy;
}

/** A run.json `storage` entry other than `lxc-overlay`: `/volumes/<part>/<name>` on the host. */
export interface VolumeSpec {
  name: string;
  persistence: Persistence;
}

/**
 * A `_config/<part>/<path>` file, mounted read-only at `/<path>` in the container: an object, or
 * (a `.json` path whose value is inline JSON, as pvr writes them) that JSON's canonical text.
 */
export type ConfigFileSpec = { path: string } & ({ object: string } | { json: string });

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
  /** State key of the root volume object (a handler prefix such as `dm:` left out). */
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
  /** `bsp/run.json` as libs/state validated it (absent when the state has none). */
  bsp?: BspRunJson;
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

type ContainerPart = Extract<Part, { kind: "container" }>;

// Stricter than libs/state's key rules: these names become LXC container names, host
// directories (`/volumes/<part>/<name>`) and mount targets inside the container.
const PART_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** A relative path without `.`/`..` segments or odd characters. */
const CONFIG_PATH = /^(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._@+-][A-Za-z0-9._@+/-]{0,511}$/;

/** libs/state's model of a state; every problem it finds is one InvalidStateError. */
function modelOf(state: Record<string, unknown>): StateModel {
  try {
    return loadState(state).model;
  } catch (error) {
    if (!(error instanceof StateValidationError)) throw error;
    throw new InvalidStateError(error.message, { cause: error });
  }
}

/** Object ids a state references; throws on an invalid state (GC must never under-count). */
export function objectIdsOf(state: Record<string, unknown>): string[] {
  return modelOf(state).objects;
}

function recoveryOf(where: string, value: unknown): AutoRecoveryPolicy | undefined {
  try {
    return parseAutoRecovery(value);
  } catch (error) {
    if (!(error instanceof InvalidRecoveryError)) throw error;
    throw new InvalidStateError(`${where}: ${error.message}`);
  }
}

function volumesOf(name: string, storage: RunJson["storage"]): VolumeSpec[] {
  return Object.entries(storage)
    .filter(([volume]) => volume !== "lxc-overlay")
    .map(([volume, { persistence }]) => {
      if (!VOLUME_NAME.test(volume))
        throw new InvalidStateError(
          `part ${name}: storage name ${JSON.stringify(volume)} is not allowed`,
        );
      return { name: volume, persistence };
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

function objectAt(state: Record<string, unknown>, name: string, key: string): string {
  const value = state[key];
  if (!isObjectId(value)) throw new InvalidStateError(`part ${name}: ${key} is not an object id`);
  return value;
}

function configFilesOf(name: string, keys: string[], state: Record<string, unknown>) {
  const prefix = `_config/${name}/`;
  return keys
    .filter((key) => key.startsWith(prefix))
    .map((key): ConfigFileSpec => {
      const path = key.slice(prefix.length);
      if (!CONFIG_PATH.test(path))
        throw new InvalidStateError(
          `part ${name}: config path ${JSON.stringify(path)} is not allowed`,
        );
      const value = state[key];
      if (key.endsWith(".json") && !isObjectId(value)) return { path, json: canonicalJson(value) };
      return { path, object: objectAt(state, name, key) };
    })
    .sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** sha256 of the sorted `[key, value]` pairs (the same bytes as every earlier agent's). */
function digestOf(keys: string[], state: Record<string, unknown>): string {
  const sorted = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const entries = sorted.map((key) => [key, state[key]]);
  return createHash("sha256").update(JSON.stringify(entries)).digest("hex");
}

function groupsOf(model: StateModel, defaultTimeoutMs: number | undefined): GroupSpec[] {
  return model.groups.map((group) => {
    const autoRecovery = recoveryOf(`group ${group.name}`, group.autoRecovery);
    return {
      name: group.name,
      statusGoal: group.statusGoal,
      restartPolicy: group.restartPolicy,
      timeoutMs: defaultTimeoutMs ?? group.timeoutSeconds * 1000,
      ...(autoRecovery ? { autoRecovery } : {}),
    };
  });
}

function partSpecOf(
  part: ContainerPart,
  state: Record<string, unknown>,
  groups: GroupSpec[],
): PartSpec {
  const { name, run } = part;
  if (!PART_NAME.test(name))
    throw new InvalidStateError(`part name ${JSON.stringify(name)} is not allowed`);
  const group = groups.find((g) => g.name === part.group);
  if (!group) throw new InvalidStateError(`part ${name}: unknown group ${part.group}`);
  const configKey = `${name}/${run.config}`;
  const rootVolumeKey = `${name}/${volumeFile(run.rootVolume)}`;
  const digest = digestOf(part.keys, state);
  return {
    name,
    group: group.name,
    statusGoal: part.statusGoal,
    restartPolicy: part.restartPolicy,
    autoRecovery: recoveryOf(name, run.autoRecovery) ?? group.autoRecovery,
    configKey,
    rootVolumeKey,
    rootVolumeKind: rootVolumeKey.endsWith(".squashfs") ? "squashfs" : "tar",
    configObject: objectAt(state, name, configKey),
    rootObject: objectAt(state, name, rootVolumeKey),
    volumes: volumesOf(name, run.storage),
    configFiles: configFilesOf(name, part.keys, state),
    digest,
    containerName: `${name}.${digest.slice(0, 12)}`,
  };
}

/** The parts, groups and system digest of a verified state, from libs/state's model of it. */
export function revisionFromState(
  state: Record<string, unknown>,
  id: string,
  ref: string,
  defaultGroupTimeoutMs?: number,
): RevisionSpec {
  if (!isObjectId(id)) throw new InvalidStateError(`revision id ${id} is not a sha256`);
  const model = modelOf(state);
  const groups = groupsOf(model, defaultGroupTimeoutMs);
  const containers = model.parts.filter((p): p is ContainerPart => p.kind === "container");
  const systemKeys = model.parts.filter((p) => p.kind !== "container").flatMap((p) => p.keys);
  const bsp = model.parts.find((p) => p.kind === "bsp")?.run;
  return {
    id,
    ref,
    groups,
    parts: containers
      .map((part) => partSpecOf(part, state, groups))
      .sort((a, b) => (a.name < b.name ? -1 : 1)),
    ...(bsp ? { bsp } : {}),
    systemDigest: digestOf(systemKeys, state),
    objects: model.objects,
    state,
  };
}
