import {
  type Account,
  type Export,
  encodeAccount,
  encodeOperator,
  type Import,
  type KeyPair,
  type OperatorLimits,
} from "@nats-io/jwt";
import { HELLO_SUBJECTS, METRICS_SUBJECTS, STATUS_SUBJECTS } from "@statecast/contract";
import {
  DEVICE_INBOX_ROOT,
  DEVICE_JS_API_PREFIX,
  DEVICES_ACCOUNT_NAME,
  OBJECTS_BUCKET,
  OBJECTS_STREAM,
  OPERATOR_NAME,
  SERVICES_ACCOUNT_NAME,
  SYSTEM_ACCOUNT_NAME,
  TARGETS_BUCKET,
  TARGETS_STREAM,
} from "./names.js";

/** Public key → unix seconds: user JWTs issued at or before that second are refused. */
export type Revocations = Record<string, number>;

const UNLIMITED: OperatorLimits = {
  subs: -1,
  data: -1,
  payload: -1,
  imports: -1,
  exports: -1,
  wildcards: true,
  conn: -1,
  leaf: -1,
};

const JETSTREAM_UNLIMITED: OperatorLimits = {
  mem_storage: -1,
  disk_storage: -1,
  streams: -1,
  consumer: -1,
};

/**
 * Everything the DEVICES account can reach in SERVICES — the account boundary. Per-device user
 * permissions then narrow each call to the device's own key and subjects. `sc_objects` is not
 * reachable at all: its message get accepts any sequence, so devices ask the gateway for objects
 * (`sc.dev.<id>.object`), which serves only what the device was targeted with.
 */
const DEVICE_SERVICES = [
  STATUS_SUBJECTS,
  HELLO_SUBJECTS,
  // Issue 14: log chunks a device sends back when asked, and its metrics (core NATS, no JetStream).
  "sc.dev.*.logs",
  METRICS_SUBJECTS,
  "sc.dev.*.object",
  `$JS.API.DIRECT.GET.${TARGETS_STREAM}.$KV.${TARGETS_BUCKET}.*`,
  `$JS.API.CONSUMER.CREATE.${TARGETS_STREAM}.*.$KV.${TARGETS_BUCKET}.*`,
  `$JS.FC.${TARGETS_STREAM}.>`,
];
const DEVICE_STREAM = `${DEVICE_INBOX_ROOT}.>`;

/**
 * How agents of the release before object access moved to the gateway read `sc_objects`: the
 * object's metadata by message get, its chunks through a consumer on its chunk subject, and the
 * flow control of that consumer. SERVICES always exports them; DEVICES imports them only while
 * an operator keeps legacy object read on (`setLegacyObjectRead`), which gives every device
 * holding a JWT of that release (their user permissions allow these subjects) read access to
 * every object of every fleet: the isolation the gateway enforces does not hold for them.
 */
export const LEGACY_OBJECT_SERVICES = [
  `$JS.API.STREAM.MSG.GET.${OBJECTS_STREAM}`,
  `$JS.API.CONSUMER.CREATE.${OBJECTS_STREAM}.*.$O.${OBJECTS_BUCKET}.C.*`,
  `$JS.FC.${OBJECTS_STREAM}.>`,
];
const LEGACY_NAME = "legacy-object-read";
/**
 * Where a previous-release agent's object read lands while legacy object read is off: the
 * gateway answers it with a JetStream API error that says why and what to do (DEVICES imports
 * this subject under the message-get subject those agents use, so they see the reason).
 */
export const LEGACY_OBJECT_REFUSAL_SUBJECT = "sc.legacy.object-read";

/** The reply on LEGACY_OBJECT_REFUSAL_SUBJECT: a JetStream API error the old agent reports. */
export const LEGACY_OBJECT_REFUSAL = JSON.stringify({
  type: "io.nats.jetstream.api.v1.stream_msg_get_response",
  error: {
    code: 403,
    err_code: 10403,
    description:
      "statecast: this agent reads sc_objects itself, which this deployment no longer allows; update the agent (objects come from the gateway on sc.dev.<id>.object), or an operator sets STATECAST_LEGACY_OBJECT_READ=on while the fleet upgrades (SECURITY.md)",
  },
});

function localSubject(subject: string): string | undefined {
  return subject.startsWith("$JS.API.")
    ? `${DEVICE_JS_API_PREFIX}.${subject.slice("$JS.API.".length)}`
    : undefined;
}

/** The operator; its signing key may sign account JWTs (the gateway re-signs DEVICES with it). */
export function encodeOperatorJwt(
  operator: KeyPair,
  systemAccountKey: string,
  signingKey: string,
): Promise<string> {
  return encodeOperator(OPERATOR_NAME, operator, {
    system_account: systemAccountKey,
    signing_keys: [signingKey],
  });
}

export function encodeSystemAccountJwt(operator: KeyPair, systemAccountKey: string) {
  return encodeAccount(
    SYSTEM_ACCOUNT_NAME,
    systemAccountKey,
    { limits: { ...UNLIMITED } },
    { signer: operator },
  );
}

/** SERVICES: JetStream enabled, exports the device plane to DEVICES, users via signing key. */
export function encodeServicesAccountJwt(
  operator: KeyPair,
  accountKey: string,
  signingKey: string,
): Promise<string> {
  const exports: Export[] = [
    ...DEVICE_SERVICES.map((subject, i) => ({
      name: `device-plane-${i}`,
      subject,
      type: "service" as const,
    })),
    ...[...LEGACY_OBJECT_SERVICES, LEGACY_OBJECT_REFUSAL_SUBJECT].map((subject, i) => ({
      name: `${LEGACY_NAME}-${i}`,
      subject,
      type: "service" as const,
    })),
    { name: "device-inboxes", subject: DEVICE_STREAM, type: "stream" },
  ];
  const claims: Partial<Account> = {
    limits: { ...UNLIMITED, ...JETSTREAM_UNLIMITED, disallow_bearer: true },
    signing_keys: [signingKey],
    exports,
  };
  return encodeAccount(SERVICES_ACCOUNT_NAME, accountKey, claims, { signer: operator });
}

/**
 * DEVICES: no JetStream of its own, imports only the device plane, no bearer tokens, users via
 * its signing key, and the current revocation list. `legacyObjectRead` adds the previous
 * release's `sc_objects` reads (see LEGACY_OBJECT_SERVICES; off unless an operator turns it on).
 */
export function encodeDevicesAccountJwt(
  operator: KeyPair,
  accountKey: string,
  signingKey: string,
  servicesAccountKey: string,
  revocations: Revocations,
  legacyObjectRead = false,
): Promise<string> {
  const planes = legacyObjectRead
    ? [...DEVICE_SERVICES, ...LEGACY_OBJECT_SERVICES]
    : DEVICE_SERVICES;
  const imports: Import[] = [
    ...planes.map((subject, i) => {
      const local = localSubject(subject);
      return {
        name: `device-plane-${i}`,
        subject,
        account: servicesAccountKey,
        type: "service" as const,
        ...(local ? { local_subject: local } : {}),
      };
    }),
    { name: "device-inboxes", subject: DEVICE_STREAM, account: servicesAccountKey, type: "stream" },
  ];
  if (!legacyObjectRead) {
    imports.push({
      name: `${LEGACY_NAME}-refusal`,
      subject: LEGACY_OBJECT_REFUSAL_SUBJECT,
      account: servicesAccountKey,
      type: "service",
      local_subject: localSubject(LEGACY_OBJECT_SERVICES[0]!)!,
    });
  }
  const claims: Partial<Account> = {
    limits: { ...UNLIMITED, disallow_bearer: true },
    signing_keys: [signingKey],
    imports,
    revocations,
  };
  return encodeAccount(DEVICES_ACCOUNT_NAME, accountKey, claims, { signer: operator });
}
