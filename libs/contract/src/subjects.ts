import { assertDeviceId } from "./device-id.js";

/**
 * Where the device plane talks (DESIGN §4): subjects, inboxes, KV and object buckets. A device
 * id is always exactly one subject token (see DEVICE_ID).
 */

/** Progress reports and heartbeats of one device (JetStream, stream SC_DEVICE_STATUS). */
export const statusSubject = (deviceId: string) => `sc.dev.${deviceId}.status`;
/** Every device's status subject, as the gateway's stream and the permissions name them. */
export const STATUS_SUBJECTS = "sc.dev.*.status";

/** A device's hello (request/reply with the enrollment responder). */
export const helloSubject = (deviceId: string) => `sc.dev.${deviceId}.hello`;
export const HELLO_SUBJECTS = "sc.dev.*.hello";

/** A device's metrics (core NATS; the gateway keeps the latest in KV `sc_device_metrics`). */
export const metricsSubject = (deviceId: string) => `sc.dev.${deviceId}.metrics`;
export const METRICS_SUBJECTS = "sc.dev.*.metrics";

/** `sc.dev.<deviceId>.<kind>` → deviceId, or undefined for any other subject. */
export function deviceIdOfSubject(
  subject: string,
  kind: "status" | "hello" | "metrics",
): string | undefined {
  const parts = subject.split(".");
  if (parts.length !== 4 || parts[0] !== "sc" || parts[1] !== "dev" || parts[3] !== kind) {
    return undefined;
  }
  return parts[2] || undefined;
}

/**
 * Where the DEVICES account sees the JetStream calls SERVICES exports to it (a device's
 * `jetstream(nc, { apiPrefix })`). Not `$JS.API`, which each account answers for itself.
 */
export const DEVICE_JS_API_PREFIX = "$JS.services.API";
/** Deliveries and replies to devices: `sc.inbox.<deviceId>.…`, a stream SERVICES exports. */
export const DEVICE_INBOX_ROOT = "sc.inbox";

/** The inbox prefix a device must use; its credentials allow no other reply subjects. */
export function deviceInboxPrefix(deviceId: string): string {
  assertDeviceId(deviceId);
  return `${DEVICE_INBOX_ROOT}.${deviceId}`;
}

/**
 * Where the gateway tells a device to slow its reports down (JSON `ReportBackoff`): it holds
 * what came over the device's report rate and applies it later, in order; the agent pauses
 * sending for `retryAfterMs` and keeps its journal until then. Agents of earlier releases do not
 * listen, and lose nothing either: the gateway still applies every report, at the device's rate.
 */
export const reportBackoffSubject = (deviceId: string) => `${deviceInboxPrefix(deviceId)}.backoff`;

/**
 * The one JetStream consumer a previous-release agent watches its own `sc_targets` key with
 * (agents since issue 16 hold none; see targetChangedSubject): a fixed name, so a
 * device's permissions allow exactly one create subject and it can never hold more than one, and
 * its deliveries on a fixed subject of its own inbox. Deliveries carry a `$JS.ACK.` reply naming
 * the consumer, which no client may publish with, so the agent takes only those.
 */
export const targetWatchConsumer = (deviceId: string) => {
  assertDeviceId(deviceId);
  return `sc_target_watch_${deviceId}`;
};
export const targetWatchSubject = (deviceId: string) => `${deviceInboxPrefix(deviceId)}.target`;

/**
 * Issue 16: where the gateway says a device's `sc_targets` key changed (body: the key's new KV
 * revision as decimal text, empty for a delete), a plain core-NATS message in the device's own
 * inbox: no JetStream consumer per device. Only a hint: anything can be replied into an inbox,
 * so the agent reads the value itself by direct get and takes it only if its revision is newer.
 */
export const targetChangedSubject = (deviceId: string) =>
  `${deviceInboxPrefix(deviceId)}.target-changed`;

/** An enrolling device's inbox: outside `sc.inbox.`, so no device id can ever name it. */
export const enrollmentInboxPrefix = (enrollmentUserKey: string) =>
  `sc.enroll.${enrollmentUserKey}`;

/** KV bucket of per-device targets (key: the device id), and its backing stream. */
export const TARGETS_BUCKET = "sc_targets";
export const TARGETS_STREAM = `KV_${TARGETS_BUCKET}`;
/** KV bucket of each device's latest metrics (key: the device id), written by the gateway. */
export const DEVICE_METRICS_BUCKET = "sc_device_metrics";
/** Object Store bucket of content-addressed objects (name: the sha256), and its backing stream. */
export const OBJECTS_BUCKET = "sc_objects";
export const OBJECTS_STREAM = `OBJ_${OBJECTS_BUCKET}`;
/**
 * KV bucket of posted revisions (key: `<fleet>.<number>`, value: `{ digest, objects }`), written by
 * the orchestrator once the revision's objects are in `sc_objects`; services only, never devices.
 */
export const REVISIONS_BUCKET = "sc_revisions";
/**
 * Request/reply between services (SERVICES account only): the orchestrator asks a gateway to push
 * a revocation now (`{publicKey, revokedAt}` → `{revocations}`); the event does it anyway.
 */
export const GATEWAY_REVOKE_SUBJECT = "sc.svc.gateway.revoke";
export const revisionKey = (fleet: string, number: number) => `${fleet}.${number}`;
