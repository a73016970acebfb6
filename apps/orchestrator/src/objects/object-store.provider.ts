import { join } from "node:path";
import type { JetStreamClient } from "@nats-io/jetstream";
import { Objm } from "@nats-io/obj";
import { Logger } from "@nestjs/common";
import { OBJECTS_BUCKET } from "@statecast/contract";
import { importDiskObjects } from "./disk-import.js";
import { NetworkObjectStore } from "./network-object-store.js";
import { ObjectsMeta } from "./sc-objects-meta.js";

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
  /** Only read for the previous release's `objects` directory, imported once (disk-import). */
  dataDir: string;
  maxObjectBytes?: number;
  natsReplicas: number;
}

/** The `sc_objects` store (created with the configured replicas), after any one-time import. */
export async function createObjectStore(
  config: ObjectsConfig,
  js: JetStreamClient,
): Promise<NetworkObjectStore> {
  const bucket = await new Objm(js).create(OBJECTS_BUCKET, { replicas: config.natsReplicas });
  const store = new NetworkObjectStore(bucket, new ObjectsMeta(js, await js.jetstreamManager()));
  await importDiskObjects(join(config.dataDir, "objects"), store, new Logger("Objects"));
  return store;
}
