import {
  type Account,
  type Export,
  encodeAccount,
  encodeOperator,
  type Import,
  type KeyPair,
  type OperatorLimits,
} from "@nats-io/jwt";
import { HELLO_SUBJECTS, STATUS_SUBJECTS } from "@statecast/contract";
import {
  DEVICE_INBOX_ROOT,
  DEVICE_JS_API_PREFIX,
  DEVICES_ACCOUNT_NAME,
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
  "sc.dev.*.metrics",
  "sc.dev.*.object",
  `$JS.API.DIRECT.GET.${TARGETS_STREAM}.$KV.${TARGETS_BUCKET}.*`,
  `$JS.API.CONSUMER.CREATE.${TARGETS_STREAM}.*.$KV.${TARGETS_BUCKET}.*`,
  `$JS.FC.${TARGETS_STREAM}.>`,
];
const DEVICE_STREAM = `${DEVICE_INBOX_ROOT}.>`;

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
 * its signing key, and the current revocation list.
 */
export function encodeDevicesAccountJwt(
  operator: KeyPair,
  accountKey: string,
  signingKey: string,
  servicesAccountKey: string,
  revocations: Revocations,
): Promise<string> {
  const imports: Import[] = [
    ...DEVICE_SERVICES.map((subject, i) => {
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
  const claims: Partial<Account> = {
    limits: { ...UNLIMITED, disallow_bearer: true },
    signing_keys: [signingKey],
    imports,
    revocations,
  };
  return encodeAccount(DEVICES_ACCOUNT_NAME, accountKey, claims, { signer: operator });
}
