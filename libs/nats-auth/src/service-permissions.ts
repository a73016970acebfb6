import { GATEWAY_REVOKE_SUBJECT, HELLO_SUBJECTS } from "@statecast/contract";

/** The services that connect as SERVICES users, each under its own user and these permissions. */
export type ServiceRole = "orchestrator" | "device-gateway";

// SC_EVENTS and its subjects (@statecast/events, which this package does not depend on).
const EVENTS_STREAM = "SC_EVENTS";
const EVENTS_SUBJECTS = "sc.evt.>";
const OBJECT_REQUESTS = "sc.dev.*.object";

/**
 * What each service must not do on the broker: what only the other one does. The orchestrator is
 * the only publisher of events (its relay) and owns SC_EVENTS; the gateway alone answers devices
 * (hello, objects) and the orchestrator's revocation requests. Every other subject (JetStream API,
 * KV, object store, inboxes) both need, so the lists deny rather than allow.
 */
export function servicePermissions(role: ServiceRole) {
  if (role === "device-gateway") {
    return {
      pub: {
        deny: [
          EVENTS_SUBJECTS,
          ...["DELETE", "PURGE", "UPDATE"].map((op) => `$JS.API.STREAM.${op}.${EVENTS_STREAM}`),
        ],
      },
    };
  }
  return {
    sub: { deny: [HELLO_SUBJECTS, OBJECT_REQUESTS, GATEWAY_REVOKE_SUBJECT] },
  };
}
