/** What the operator asked for with `statecast app add`. */
export interface AppSpec {
  name: string;
  group: string;
  statusGoal: "MOUNTED" | "STARTED" | "READY";
  restartPolicy: "system" | "container";
  volumes: VolumeSpec[];
}

export type Persistence = "permanent" | "revision" | "boot";

/** A directory in the container backed by device storage. */
export interface VolumeSpec {
  /** absolute path inside the container, e.g. `/var/lib/app`. */
  path: string;
  persistence: Persistence;
}

export class AppSpecError extends Error {
  override readonly name = "AppSpecError";
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const GOALS = ["MOUNTED", "STARTED", "READY"] as const;
const POLICIES = ["system", "container"] as const;
const PERSISTENCE = ["permanent", "revision", "boot"] as const;

export interface AppOptions {
  group?: string;
  statusGoal?: string;
  restartPolicy?: string;
  volume?: string[];
}

/** Validates `app add` options; every problem is named with what to use instead. */
export function appSpec(name: string, options: AppOptions): AppSpec {
  if (!NAME.test(name) || name === "bsp")
    throw new AppSpecError(
      `"${name}" is not a valid container name: use lowercase letters, digits, ".", "_", "-" (not "bsp")`,
    );
  const group = options.group ?? "app";
  if (!NAME.test(group)) throw new AppSpecError(`"${group}" is not a valid group name`);
  const statusGoal = options.statusGoal ?? "STARTED";
  if (!isOneOf(GOALS, statusGoal))
    throw new AppSpecError(`--status-goal "${statusGoal}" must be one of ${GOALS.join(", ")}`);
  const restartPolicy = options.restartPolicy ?? "container";
  if (!isOneOf(POLICIES, restartPolicy))
    throw new AppSpecError(
      `--restart-policy "${restartPolicy}" must be one of ${POLICIES.join(", ")}`,
    );
  return { name, group, statusGoal, restartPolicy, volumes: (options.volume ?? []).map(volume) };
}

/** `--volume /path[:permanent|revision|boot]` (default permanent). */
export function volume(text: string): VolumeSpec {
  const colon = text.lastIndexOf(":");
  const path = colon > 0 ? text.slice(0, colon) : text;
  const persistence = colon > 0 ? text.slice(colon + 1) : "permanent";
  if (!isOneOf(PERSISTENCE, persistence))
    throw new AppSpecError(
      `--volume "${text}": persistence must be one of ${PERSISTENCE.join(", ")}`,
    );
  const segments = path.split("/").slice(1);
  if (
    !path.startsWith("/") ||
    segments.some((s) => s === ".." || s === "." || !/^[A-Za-z0-9._@+-]+$/.test(s))
  )
    throw new AppSpecError(
      `--volume "${text}": give an absolute container path like /var/lib/app[:permanent]`,
    );
  return { path, persistence };
}

/** pvr's storage name for a container directory: `/etc/x/` → `docker--etc-x`. */
export function storageName(path: string): string {
  return `docker--${path.replace(/^\/+|\/+$/g, "").replace(/\/+/g, "-")}`;
}

function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}
