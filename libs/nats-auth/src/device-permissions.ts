import type { Permissions } from "@nats-io/jwt";
import { helloSubject, metricsSubject, statusSubject } from "@statecast/contract";
import {
  assertDeviceId,
  DEVICE_JS_API_PREFIX,
  deviceInboxPrefix,
  TARGETS_BUCKET,
  TARGETS_STREAM,
} from "./names.js";

/**
 * What a device's user may do in the DEVICES account, as allow-lists (anything else is refused):
 *
 * - publish its own status (the JetStream ack comes back on its inbox) and request its own hello;
 * - publish its own log chunks (answers to a logs request that reached it on its inbox,
 *   `sc.inbox.<deviceId>.logs`) and its own metrics — never another device's;
 * - read its own `sc_targets` key: a direct get whose subject names the key (the server answers
 *   only that key), and an ordered watch consumer created through the 2.9 extended create subject
 *   whose last tokens ARE the filter — the server refuses a body whose filter differs, so a device
 *   cannot create a consumer over the whole bucket or another key;
 * - request objects from the gateway on its own `sc.dev.<id>.object`: no JetStream access to
 *   `sc_objects` at all, since a message get (nats-server 2.9) accepts any sequence of the stream
 *   and `_config` objects hold secrets; the gateway serves only the objects of revisions the
 *   device was targeted with (apps/device-gateway/src/objects/object-access.ts);
 * - answer JetStream flow control of its target watch;
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
        `sc.dev.${deviceId}.logs`,
        metricsSubject(deviceId),
        `sc.dev.${deviceId}.object`,
        `${api}.DIRECT.GET.${TARGETS_STREAM}.${key}`,
        `${api}.CONSUMER.CREATE.${TARGETS_STREAM}.*.${key}`,
        `$JS.FC.${TARGETS_STREAM}.>`,
      ],
      deny: [],
    },
    sub: {
      allow: [`${deviceInboxPrefix(deviceId)}.>`],
      deny: [],
    },
  };
}
