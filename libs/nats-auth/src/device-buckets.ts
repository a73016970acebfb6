import { jetstream } from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import { type ObjectStore, Objm } from "@nats-io/obj";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  DEVICE_JS_API_PREFIX,
  deviceInboxPrefix,
  OBJECTS_BUCKET,
  TARGETS_BUCKET,
} from "./names.js";

export interface DeviceBuckets {
  /**
   * Use only `get(deviceId)`; follow it with `followOwnTarget` (direct gets, no consumer; the
   * previous release's `watchOwnTarget` holds one fixed consumer): `watch()` names a new
   * consumer, which only the earlier releases' permissions allow.
   */
  readonly targets: KV;
  /** Use `get(name)` / `getBlob(name)`; writes are refused. */
  readonly objects: ObjectStore;
}

/**
 * Opens `sc_targets` and `sc_objects` the way a device's permissions expect: no `$JS.API.INFO`
 * or stream-info probes, KV reads through direct get (subject names the key), consumers
 * delivering to the device's own inbox prefix; JetStream calls go to SERVICES through
 * the DEVICES account's imports (`$JS.services.API`), on a hub or on a site leaf node alike.
 */
export async function openDeviceBuckets(
  nc: NatsConnection,
  deviceId: string,
): Promise<DeviceBuckets> {
  const js = jetstream(nc, {
    apiPrefix: DEVICE_JS_API_PREFIX,
    checkAPI: false,
    watcherPrefix: deviceInboxPrefix(deviceId),
  });
  const targets = await new Kvm(js).open(TARGETS_BUCKET, { allow_direct: true });
  const objects = await new Objm(js).open(OBJECTS_BUCKET, false);
  return { targets, objects };
}
