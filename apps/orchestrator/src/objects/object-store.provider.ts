import { join } from "node:path";
import { FsObjectStore, type ObjectStore } from "@statecast/state";

export const OBJECT_STORE = Symbol("OBJECT_STORE");

/** Upload limits, from the app's config. */
export interface ObjectsOptions {
  maxObjectBytes: number;
}

export const OBJECTS_OPTIONS = Symbol("OBJECTS_OPTIONS");

/** Used when the config names no limit: 8 GiB, above any real rootfs image. */
export const DEFAULT_MAX_OBJECT_BYTES = 8 * 1024 ** 3;

/** The settings the objects feature reads from the service config. */
export interface ObjectsConfig {
  dataDir: string;
  maxObjectBytes?: number;
}

export function createObjectStore(config: ObjectsConfig): ObjectStore {
  return new FsObjectStore(join(config.dataDir, "objects"));
}
