import type { Permissions } from "@nats-io/jwt";
import { helloSubject, statusSubject } from "@statecast/contract";
import {
  assertDeviceId,
  DEVICE_JS_API_PREFIX,
  deviceInboxPrefix,
  OBJECTS_BUCKET,
  OBJECTS_STREAM,
  TARGETS_BUCKET,
  TARGETS_STREAM,
} from "./names.js";

/**
 * What a device's user may do in the DEVICES account, as allow-lists (anything else is refused):
 *
 * - publish its own status (the JetStream ack comes back on its inbox) and request its own hello;
 * - read its own `sc_targets` key: a direct get whose subject names the key (the server answers
 *   only that key), and an ordered watch consumer created through the 2.9 extended create subject
 *   whose last tokens ARE the filter — the server refuses a body whose filter differs, so a device
 *   cannot create a consumer over the whole bucket or another key;
 * - read any object of `sc_objects` (objects are content-addressed and not per-device secrets):
 *   metadata by message get, chunks through an ordered consumer on one object's chunk subject;
 * - answer JetStream flow control of its consumers;
 * - receive only on `sc.inbox.<deviceId>.>`, so replies to other devices stay out of reach.
 *
 * The JetStream calls go through SERVICES' exports, seen here under `$JS.services.API`; the
 * DEVICES account has no other way into SERVICES (see claims.ts). No consumer delete/info/list,
 * no stream info/list, no account info: ordered consumers expire through their inactivity
 * threshold.
 */
export function devicePermissions(deviceId: string): Permissions {
  assertDeviceId(deviceId);
  const key = `$KV.${TARGETS_BUCKET}.${deviceId}`;
  const api = DEVICE_JS_API_PREFIX;
  return {
    pub: {
      allow: [
        statusSubject(deviceId),
        helloSubject(deviceId),
        `${api}.DIRECT.GET.${TARGETS_STREAM}.${key}`,
        `${api}.CONSUMER.CREATE.${TARGETS_STREAM}.*.${key}`,
        `${api}.STREAM.MSG.GET.${OBJECTS_STREAM}`,
        `${api}.CONSUMER.CREATE.${OBJECTS_STREAM}.*.$O.${OBJECTS_BUCKET}.C.*`,
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
