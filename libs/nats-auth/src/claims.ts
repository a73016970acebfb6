import {
  type Account,
  encodeAccount,
  encodeOperator,
  type KeyPair,
  type OperatorLimits,
} from "@nats-io/jwt";
import { ACCOUNT_NAME, OPERATOR_NAME, SYSTEM_ACCOUNT_NAME } from "./names.js";

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

export function encodeOperatorJwt(operator: KeyPair, systemAccountKey: string): Promise<string> {
  return encodeOperator(OPERATOR_NAME, operator, { system_account: systemAccountKey });
}

export function encodeSystemAccountJwt(operator: KeyPair, systemAccountKey: string) {
  return encodeAccount(
    SYSTEM_ACCOUNT_NAME,
    systemAccountKey,
    { limits: { ...UNLIMITED } },
    { signer: operator },
  );
}

/**
 * The STATECAST account: JetStream enabled, users only through its signing key (so the identity
 * key can stay offline), no bearer tokens, and the current revocation list.
 */
export function encodeAccountJwt(
  operator: KeyPair,
  accountKey: string,
  signingKey: string,
  revocations: Revocations,
): Promise<string> {
  const claims: Partial<Account> = {
    limits: { ...UNLIMITED, ...JETSTREAM_UNLIMITED, disallow_bearer: true },
    signing_keys: [signingKey],
    revocations,
  };
  return encodeAccount(ACCOUNT_NAME, accountKey, claims, { signer: operator });
}
