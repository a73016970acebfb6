import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Account, createAccount, createOperator, decode, type KeyPair } from "@nats-io/jwt";
import { IllegalStateError, NotFoundError, ValidationError } from "@statecast/events";
import {
  encodeAccountJwt,
  encodeOperatorJwt,
  encodeSystemAccountJwt,
  type Revocations,
} from "./claims.js";
import { writePrivateFile, writePublicFile } from "./files.js";
import { nativeKeyPair } from "./native-nkeys.js";

/** A named NATS identity: its public nkey and the JWT that vouches for it. Nothing secret. */
export interface Identity {
  readonly publicKey: string;
  readonly jwt: string;
}

/**
 * The operator, the system account and the STATECAST account, as stored in `dir`. The seeds are
 * held out of sight (not enumerable, not printed by `console.log` or `JSON.stringify`).
 */
export interface OperatorSetup {
  readonly dir: string;
  readonly operator: Identity;
  readonly systemAccount: Identity;
  readonly account: Identity;
}

/** The public parts a server configuration needs; deploy templates pass placeholders. */
export type ServerIdentities = Pick<OperatorSetup, "operator" | "systemAccount" | "account">;

interface SetupKeys {
  operator: KeyPair;
  systemAccount: KeyPair;
  account: KeyPair;
  accountSigning: KeyPair;
}

const keysOf = new WeakMap<OperatorSetup, SetupKeys>();

const FILES = {
  operatorJwt: "operator.jwt",
  systemAccountJwt: "system-account.jwt",
  accountJwt: "account.jwt",
  operatorSeed: "operator.nk",
  systemAccountSeed: "system-account.nk",
  accountSeed: "account.nk",
  accountSigningSeed: "account-signing.nk",
} as const;

/** Creates fresh keys and JWTs in `dir` (created 0700; seeds 0600). Refuses to overwrite. */
export async function createOperatorSetup(dir: string): Promise<OperatorSetup> {
  if (existsSync(join(dir, FILES.operatorJwt))) {
    throw new IllegalStateError(`an operator setup already exists in ${dir}`);
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keys: SetupKeys = {
    operator: nativeKeyPair(createOperator().getSeed()),
    systemAccount: nativeKeyPair(createAccount().getSeed()),
    account: nativeKeyPair(createAccount().getSeed()),
    accountSigning: nativeKeyPair(createAccount().getSeed()),
  };
  const sysKey = keys.systemAccount.getPublicKey();
  writePrivateFile(join(dir, FILES.operatorSeed), seedText(keys.operator));
  writePrivateFile(join(dir, FILES.systemAccountSeed), seedText(keys.systemAccount));
  writePrivateFile(join(dir, FILES.accountSeed), seedText(keys.account));
  writePrivateFile(join(dir, FILES.accountSigningSeed), seedText(keys.accountSigning));
  writePublicFile(join(dir, FILES.operatorJwt), await encodeOperatorJwt(keys.operator, sysKey));
  writePublicFile(
    join(dir, FILES.systemAccountJwt),
    await encodeSystemAccountJwt(keys.operator, sysKey),
  );
  const accountJwt = await encodeAccountJwt(
    keys.operator,
    keys.account.getPublicKey(),
    keys.accountSigning.getPublicKey(),
    {},
  );
  writePublicFile(join(dir, FILES.accountJwt), accountJwt);
  return loadOperatorSetup(dir);
}

/** Reads a setup written by `createOperatorSetup` (including later revocations). */
export function loadOperatorSetup(dir: string): OperatorSetup {
  if (!existsSync(join(dir, FILES.operatorJwt))) {
    throw new NotFoundError(`no operator setup in ${dir} (expected ${FILES.operatorJwt})`);
  }
  const keys: SetupKeys = {
    operator: readSeed(dir, FILES.operatorSeed),
    systemAccount: readSeed(dir, FILES.systemAccountSeed),
    account: readSeed(dir, FILES.accountSeed),
    accountSigning: readSeed(dir, FILES.accountSigningSeed),
  };
  const setup: OperatorSetup = Object.freeze({
    dir,
    operator: identity(keys.operator, readFileSync(join(dir, FILES.operatorJwt), "utf8").trim()),
    systemAccount: identity(
      keys.systemAccount,
      readFileSync(join(dir, FILES.systemAccountJwt), "utf8").trim(),
    ),
    account: identity(keys.account, readFileSync(join(dir, FILES.accountJwt), "utf8").trim()),
  });
  keysOf.set(setup, keys);
  return setup;
}

/** Loads the setup in `dir`, creating it on first use (what `npm start` wants). */
export async function ensureOperatorSetup(dir: string): Promise<OperatorSetup> {
  return existsSync(join(dir, FILES.operatorJwt))
    ? loadOperatorSetup(dir)
    : createOperatorSetup(dir);
}

/** Re-signs the account JWT with `revocations` added, stores it and returns the new setup. */
export async function updateAccountRevocations(
  setup: OperatorSetup,
  added: Revocations,
): Promise<OperatorSetup> {
  const keys = setupKeys(setup);
  const current = decode<Account>(setup.account.jwt).nats.revocations ?? {};
  const jwt = await encodeAccountJwt(
    keys.operator,
    keys.account.getPublicKey(),
    keys.accountSigning.getPublicKey(),
    { ...current, ...added },
  );
  writePublicFile(join(setup.dir, FILES.accountJwt), jwt);
  return loadOperatorSetup(setup.dir);
}

/** @internal The seeds behind a loaded setup; only this package signs with them. */
export function setupKeys(setup: OperatorSetup): SetupKeys {
  const keys = keysOf.get(setup);
  if (!keys) {
    throw new ValidationError("not an operator setup from loadOperatorSetup/createOperatorSetup");
  }
  return keys;
}

function identity(key: KeyPair, jwt: string): Identity {
  const subject = decode(jwt).sub;
  if (subject !== key.getPublicKey()) {
    throw new IllegalStateError(`JWT subject ${subject} does not match its seed file`);
  }
  return Object.freeze({ publicKey: key.getPublicKey(), jwt });
}

function readSeed(dir: string, file: string): KeyPair {
  const path = join(dir, file);
  if (!existsSync(path)) throw new NotFoundError(`operator setup in ${dir} lacks ${file}`);
  try {
    return nativeKeyPair(readFileSync(path, "utf8").trim());
  } catch (cause) {
    // The message names the file, never its content.
    throw new ValidationError(`${path} does not hold a valid nkey seed`, { cause });
  }
}

function seedText(key: KeyPair): string {
  return `${new TextDecoder().decode(key.getSeed())}\n`;
}
