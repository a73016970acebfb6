import type { Permissions } from "@nats-io/jwt";
import {
  assertDeviceId,
  deviceInboxPrefix,
  JETSTREAM_DOMAIN,
  OBJECTS_BUCKET,
  OBJECTS_STREAM,
  TARGETS_BUCKET,
  TARGETS_STREAM,
} from "./names.js";

/**
 * Everything a device's user may do, as allow-lists (anything else is refused by the server):
 *
 * - publish its own status (the JetStream ack comes back on its inbox) and request its own hello;
 * - read its own `sc_targets` key: a direct get whose subject names the key (the server answers
 *   only that key), and an ordered watch consumer created through the 2.9 extended create subject
 *   whose last token(s) ARE the filter — the server refuses a body whose filter differs, so a device
 *   cannot create a consumer over the whole bucket or another key;
 * - read any object of `sc_objects` (objects are content-addressed and not per-device secrets):
 *   metadata by message get, chunks through an ordered consumer on one object's chunk subject;
 * - answer JetStream flow control of its consumers;
 * - receive only on `_INBOX_<deviceId>.>`, so replies to other devices stay out of reach.
 *
 * Each JetStream API subject is allowed both as `$JS.API.…` (device on a hub) and as
 * `$JS.<domain>.API.…` (device on a site leaf node, which reaches the hub's domain that way).
 *
 * No consumer delete/info/list, no stream info/list, no `$JS.API.INFO`, no `$KV.>` subscriptions:
 * ordered consumers clean themselves up through their inactivity threshold.
 */
export function devicePermissions(deviceId: string): Permissions {
  assertDeviceId(deviceId);
  const key = `$KV.${TARGETS_BUCKET}.${deviceId}`;
  const jsApi = [
    `DIRECT.GET.${TARGETS_STREAM}.${key}`,
    `CONSUMER.CREATE.${TARGETS_STREAM}.*.${key}`,
    `STREAM.MSG.GET.${OBJECTS_STREAM}`,
    `CONSUMER.CREATE.${OBJECTS_STREAM}.*.$O.${OBJECTS_BUCKET}.C.*`,
  ];
  return {
    pub: {
      allow: [
        `sc.dev.${deviceId}.status`,
        `sc.dev.${deviceId}.hello`,
        ...jsApi.map((call) => `$JS.API.${call}`),
        ...jsApi.map((call) => `$JS.${JETSTREAM_DOMAIN}.API.${call}`),
        `$JS.FC.${TARGETS_STREAM}.>`,
        `$JS.FC.${OBJECTS_STREAM}.>`,
      ],
      deny: [],
    },
    sub: {
      allow: [`${deviceInboxPrefix(deviceId)}.>`],
      deny: [],
    },
  };
}
