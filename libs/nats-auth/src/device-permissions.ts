import type { Permissions } from "@nats-io/jwt";
import {
  helloSubject,
  metricsSubject,
  statusSubject,
  targetWatchConsumer,
} from "@statecast/contract";
import {
  assertDeviceId,
  DEVICE_JS_API_PREFIX,
  deviceInboxPrefix,
  TARGETS_BUCKET,
  TARGETS_STREAM,
} from "./names.js";

export interface DevicePermissionOptions {
  /**
   * The previous release's target watch, for its agents while a fleet upgrades (gateway setting
   * `STATECAST_LEGACY_TARGET_WATCH`): a consumer of ANY name on the device's own key (their
   * `kv.watch` names a new ordered consumer each time, so their count is not bounded) and its
   * flow control. Off: only the fixed consumer.
   */
  readonly legacyTargetWatch?: boolean;
}

/**
 * What a device's user may do in the DEVICES account, as allow-lists (anything else is refused):
 *
 * - publish its own status (the JetStream ack comes back on its inbox) and request its own hello;
 * - publish its own log chunks (answers to a logs request that reached it on its inbox,
 *   `sc.inbox.<deviceId>.logs`) and its own metrics — never another device's;
 * - read its own `sc_targets` key: a direct get whose subject names the key (the server answers
 *   only that key), and ONE watch consumer, created through the 2.9 extended create subject
 *   `CONSUMER.CREATE.<stream>.<name>.<filter>` with the name fixed by the device id
 *   (`targetWatchConsumer`) and the filter its own key: the server refuses a body whose name or
 *   filter differs from the subject, and a create of an existing name updates that consumer, so
 *   a device holds at most one consumer, over its own key only (see target-watch.ts for what
 *   its deliver subject can and cannot reach). Only previous-release agents make it; agents
 *   since issue 16 use the direct get alone (target-follow.ts);
 * - request objects from the gateway on its own `sc.dev.<id>.object`: no JetStream access to
 *   `sc_objects` at all, since a message get (nats-server 2.9) accepts any sequence of the stream
 *   and `_config` objects hold secrets; the gateway serves only the objects of revisions the
 *   device was targeted with (apps/device-gateway/src/objects/object-access.ts);
 * - receive only on `sc.inbox.<deviceId>.>`, so replies to other devices stay out of reach.
 *
 * The JetStream calls go through SERVICES' exports, seen here under `$JS.services.API`; the
 * DEVICES account has no other way into SERVICES (see claims.ts). No consumer delete/info/list,
 * no stream info/list, no account info: ordered consumers expire through their inactivity
 * threshold.
 */
export function devicePermissions(
  deviceId: string,
  options: DevicePermissionOptions = {},
): Permissions {
  assertDeviceId(deviceId);
  const key = `$KV.${TARGETS_BUCKET}.${deviceId}`;
  const api = DEVICE_JS_API_PREFIX;
  const watch = options.legacyTargetWatch
    ? [`${api}.CONSUMER.CREATE.${TARGETS_STREAM}.*.${key}`, `$JS.FC.${TARGETS_STREAM}.>`]
    : [`${api}.CONSUMER.CREATE.${TARGETS_STREAM}.${targetWatchConsumer(deviceId)}.${key}`];
  return {
    pub: {
      allow: [
        statusSubject(deviceId),
        helloSubject(deviceId),
        `sc.dev.${deviceId}.logs`,
        metricsSubject(deviceId),
        `sc.dev.${deviceId}.object`,
        `${api}.DIRECT.GET.${TARGETS_STREAM}.${key}`,
        ...watch,
      ],
      deny: [],
    },
    sub: {
      allow: [`${deviceInboxPrefix(deviceId)}.>`],
      deny: [],
    },
  };
}
