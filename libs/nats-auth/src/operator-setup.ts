import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Account, createAccount, createOperator, decode, type KeyPair } from "@nats-io/jwt";
import { IllegalStateError, NotFoundError, ValidationError } from "@statecast/contract";
import {
  encodeDevicesAccountJwt,
  encodeOperatorJwt,
  encodeServicesAccountJwt,
  encodeSystemAccountJwt,
  LEGACY_OBJECT_SERVICES,
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
 * The operator, the system account, SERVICES and DEVICES, as stored in `dir`. The seeds are held
 * out of sight (not enumerable, not printed by `console.log` or `JSON.stringify`).
 */
export interface OperatorSetup {
  readonly dir: string;
  readonly operator: Identity;
  readonly systemAccount: Identity;
  readonly servicesAccount: Identity;
  readonly devicesAccount: Identity;
}

/** The public parts a server configuration needs; deploy templates pass placeholders. */
export type ServerIdentities = Omit<OperatorSetup, "dir">;

interface SetupKeys {
  operator: KeyPair;
  systemAccount: KeyPair;
  servicesAccount: KeyPair;
  servicesSigning: KeyPair;
  devicesAccount: KeyPair;
  devicesSigning: KeyPair;
}

const keysOf = new WeakMap<OperatorSetup, SetupKeys>();

const SEED_FILES: Record<keyof SetupKeys, string> = {
  operator: "operator.nk",
  systemAccount: "system-account.nk",
  servicesAccount: "services-account.nk",
  servicesSigning: "services-signing.nk",
  devicesAccount: "devices-account.nk",
  devicesSigning: "devices-signing.nk",
};
const FILES = {
  operatorJwt: "operator.jwt",
  systemAccountJwt: "system-account.jwt",
  servicesAccountJwt: "services-account.jwt",
  devicesAccountJwt: "devices-account.jwt",
} as const;

/** Creates fresh keys and JWTs in `dir` (created 0700; seeds 0600). Refuses to overwrite. */
export async function createOperatorSetup(dir: string): Promise<OperatorSetup> {
  if (existsSync(join(dir, FILES.operatorJwt))) {
    throw new IllegalStateError(`an operator setup already exists in ${dir}`);
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const fresh = (create: () => KeyPair) => nativeKeyPair(create().getSeed());
  const keys: SetupKeys = {
    operator: fresh(createOperator),
    systemAccount: fresh(createAccount),
    servicesAccount: fresh(createAccount),
    servicesSigning: fresh(createAccount),
    devicesAccount: fresh(createAccount),
    devicesSigning: fresh(createAccount),
  };
  for (const [name, file] of Object.entries(SEED_FILES)) {
    writePrivateFile(join(dir, file), seedText(keys[name as keyof SetupKeys]));
  }
  const sysKey = keys.systemAccount.getPublicKey();
  const jwts: [string, string][] = [
    [FILES.operatorJwt, await encodeOperatorJwt(keys.operator, sysKey)],
    [FILES.systemAccountJwt, await encodeSystemAccountJwt(keys.operator, sysKey)],
    [
      FILES.servicesAccountJwt,
      await encodeServicesAccountJwt(
        keys.operator,
        keys.servicesAccount.getPublicKey(),
        keys.servicesSigning.getPublicKey(),
      ),
    ],
    [FILES.devicesAccountJwt, await devicesAccountJwt(keys, {})],
  ];
  for (const [file, jwt] of jwts) writePublicFile(join(dir, file), jwt);
  return loadOperatorSetup(dir);
}

/** Reads a setup written by `createOperatorSetup` (including later revocations). */
export function loadOperatorSetup(dir: string): OperatorSetup {
  if (!existsSync(join(dir, FILES.operatorJwt))) {
    throw new NotFoundError(`no operator setup in ${dir} (expected ${FILES.operatorJwt})`);
  }
  // Cast: Object.fromEntries loses the key names; SEED_FILES names exactly SetupKeys' fields.
  const keys = Object.fromEntries(
    Object.entries(SEED_FILES).map(([name, file]) => [name, readSeed(dir, file)]),
  ) as unknown as SetupKeys;
  const jwt = (file: string) => readFileSync(join(dir, file), "utf8").trim();
  const setup: OperatorSetup = Object.freeze({
    dir,
    operator: identity(keys.operator, jwt(FILES.operatorJwt)),
    systemAccount: identity(keys.systemAccount, jwt(FILES.systemAccountJwt)),
    servicesAccount: identity(keys.servicesAccount, jwt(FILES.servicesAccountJwt)),
    devicesAccount: identity(keys.devicesAccount, jwt(FILES.devicesAccountJwt)),
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

/** The revocations in the setup's DEVICES JWT (public key → unix seconds). */
export function deviceRevocations(setup: OperatorSetup): Revocations {
  return decode<Account>(setup.devicesAccount.jwt).nats.revocations ?? {};
}

/** Re-signs the DEVICES JWT with `revocations` added, stores it and returns the new setup. */
export async function updateDeviceRevocations(
  setup: OperatorSetup,
  added: Revocations,
): Promise<OperatorSetup> {
  const current = decode<Account>(setup.devicesAccount.jwt).nats.revocations ?? {};
  const legacy = legacyObjectRead(setup);
  const jwt = await devicesAccountJwt(setupKeys(setup), { ...current, ...added }, legacy);
  writePublicFile(join(setup.dir, FILES.devicesAccountJwt), jwt);
  return loadOperatorSetup(setup.dir);
}

/** Whether DEVICES imports the previous release's `sc_objects` reads (LEGACY_OBJECT_SERVICES). */
export function legacyObjectRead(setup: OperatorSetup): boolean {
  const imports = decode<Account>(setup.devicesAccount.jwt).nats.imports ?? [];
  return imports.some((i) => i.subject === LEGACY_OBJECT_SERVICES[0]);
}

/**
 * Turns the previous release's object read on or off (a migration setting, see SECURITY.md):
 * re-signs SERVICES (which exports those subjects since this release) and DEVICES (which imports
 * them only while on), keeping the revocations. Push both to running servers (`pushAccountJwt`
 * with `{ services: true }`), or start the servers from the setup.
 */
export async function setLegacyObjectRead(
  setup: OperatorSetup,
  on: boolean,
): Promise<OperatorSetup> {
  const keys = setupKeys(setup);
  const services = await encodeServicesAccountJwt(
    keys.operator,
    keys.servicesAccount.getPublicKey(),
    keys.servicesSigning.getPublicKey(),
  );
  writePublicFile(join(setup.dir, FILES.servicesAccountJwt), services);
  const devices = await devicesAccountJwt(keys, deviceRevocations(setup), on);
  writePublicFile(join(setup.dir, FILES.devicesAccountJwt), devices);
  return loadOperatorSetup(setup.dir);
}

function devicesAccountJwt(
  keys: SetupKeys,
  revocations: Revocations,
  legacy = false,
): Promise<string> {
  return encodeDevicesAccountJwt(
    keys.operator,
    keys.devicesAccount.getPublicKey(),
    keys.devicesSigning.getPublicKey(),
    keys.servicesAccount.getPublicKey(),
    revocations,
    legacy,
  );
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
