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
  /** Listed in the operator JWT: signs the DEVICES JWT's revocations (held by the gateway). */
  operatorSigning: KeyPair;
  systemAccount: KeyPair;
  servicesAccount: KeyPair;
  servicesSigning: KeyPair;
  devicesAccount: KeyPair;
  devicesSigning: KeyPair;
}

/**
 * The seeds a loaded setup holds: all of them for the operator's own setup, a few for a gateway's
 * (gateway-setup.ts), plus the creds of the system user that pushes account JWT updates.
 */
export interface HeldKeys extends Partial<SetupKeys> {
  readonly kind: "operator" | "gateway";
  readonly claimsUpdateCreds?: string;
}

const keysOf = new WeakMap<ServerIdentities, HeldKeys>();

export const SEED_FILES: Record<keyof SetupKeys, string> = {
  operator: "operator.nk",
  operatorSigning: "operator-signing.nk",
  systemAccount: "system-account.nk",
  servicesAccount: "services-account.nk",
  servicesSigning: "services-signing.nk",
  devicesAccount: "devices-account.nk",
  devicesSigning: "devices-signing.nk",
};
export const FILES = {
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
    operatorSigning: fresh(createOperator),
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
    [FILES.operatorJwt, await operatorJwt(keys)],
    [FILES.systemAccountJwt, await encodeSystemAccountJwt(keys.operator, sysKey)],
    [
      FILES.servicesAccountJwt,
      await encodeServicesAccountJwt(
        keys.operator,
        keys.servicesAccount.getPublicKey(),
        keys.servicesSigning.getPublicKey(),
      ),
    ],
    [
      FILES.devicesAccountJwt,
      await encodeDevicesAccountJwt(
        keys.operator,
        keys.devicesAccount.getPublicKey(),
        keys.devicesSigning.getPublicKey(),
        keys.servicesAccount.getPublicKey(),
        {},
      ),
    ],
  ];
  for (const [file, jwt] of jwts) writePublicFile(join(dir, file), jwt);
  return loadOperatorSetup(dir);
}

function operatorJwt(keys: Pick<SetupKeys, "operator" | "operatorSigning" | "systemAccount">) {
  return encodeOperatorJwt(
    keys.operator,
    keys.systemAccount.getPublicKey(),
    keys.operatorSigning.getPublicKey(),
  );
}

/**
 * A setup written before the operator had a signing key gets one, and its operator JWT is
 * re-signed to list it (the server config must be rendered again: `npm start` does).
 */
async function addOperatorSigningKey(dir: string): Promise<void> {
  const path = join(dir, SEED_FILES.operatorSigning);
  if (existsSync(path)) return;
  const keys = {
    operator: readSeed(dir, SEED_FILES.operator),
    operatorSigning: nativeKeyPair(createOperator().getSeed()),
    systemAccount: readSeed(dir, SEED_FILES.systemAccount),
  };
  writePrivateFile(path, seedText(keys.operatorSigning));
  writePublicFile(join(dir, FILES.operatorJwt), await operatorJwt(keys));
}

/** Reads a setup written by `createOperatorSetup` (including later revocations). */
export function loadOperatorSetup(dir: string): OperatorSetup {
  if (!existsSync(join(dir, FILES.operatorJwt))) {
    throw new NotFoundError(`no operator setup in ${dir} (expected ${FILES.operatorJwt})`);
  }
  const seed = (name: keyof SetupKeys) => readSeed(dir, SEED_FILES[name]);
  const keys: SetupKeys = {
    operator: seed("operator"),
    operatorSigning: seed("operatorSigning"),
    systemAccount: seed("systemAccount"),
    servicesAccount: seed("servicesAccount"),
    servicesSigning: seed("servicesSigning"),
    devicesAccount: seed("devicesAccount"),
    devicesSigning: seed("devicesSigning"),
  };
  const jwt = (file: string) => readFileSync(join(dir, file), "utf8").trim();
  const setup: OperatorSetup = Object.freeze({
    dir,
    operator: identity(keys.operator, jwt(FILES.operatorJwt)),
    systemAccount: identity(keys.systemAccount, jwt(FILES.systemAccountJwt)),
    servicesAccount: identity(keys.servicesAccount, jwt(FILES.servicesAccountJwt)),
    devicesAccount: identity(keys.devicesAccount, jwt(FILES.devicesAccountJwt)),
  });
  keysOf.set(setup, { kind: "operator", ...keys });
  return setup;
}

/** Loads the setup in `dir`, creating it on first use (what `npm start` wants). */
export async function ensureOperatorSetup(dir: string): Promise<OperatorSetup> {
  if (!existsSync(join(dir, FILES.operatorJwt))) return createOperatorSetup(dir);
  await addOperatorSigningKey(dir);
  return loadOperatorSetup(dir);
}

/** The revocations in the setup's DEVICES JWT (public key → unix seconds). */
export function deviceRevocations(setup: ServerIdentities): Revocations {
  return decode<Account>(setup.devicesAccount.jwt).nats.revocations ?? {};
}

/**
 * Re-signs the DEVICES JWT with `revocations` added. The operator's own setup stores it (its
 * directory is the record the server config is rendered from); a gateway's setup is read-only,
 * so the new JWT lives in the returned setup only (the gateway rebuilds it from the events).
 */
export async function updateDeviceRevocations<S extends ServerIdentities & { dir: string }>(
  setup: S,
  added: Revocations,
): Promise<S> {
  const keys = setupKeys(setup);
  const revocations = { ...deviceRevocations(setup), ...added };
  const jwt = await devicesAccountJwt(setup, keys, revocations, legacyObjectRead(setup));
  if (keys.kind === "gateway") {
    const updated = Object.freeze({
      ...setup,
      devicesAccount: Object.freeze({ publicKey: setup.devicesAccount.publicKey, jwt }),
    });
    keysOf.set(updated, keys);
    return updated;
  }
  writePublicFile(join(setup.dir, FILES.devicesAccountJwt), jwt);
  return loadOperatorSetup(setup.dir) as unknown as S; // an operator setup loads as one
}

/** Whether DEVICES imports the previous release's `sc_objects` reads (LEGACY_OBJECT_SERVICES). */
export function legacyObjectRead(setup: ServerIdentities): boolean {
  const imports = decode<Account>(setup.devicesAccount.jwt).nats.imports ?? [];
  return imports.some((i) => i.subject === LEGACY_OBJECT_SERVICES[0]);
}

/**
 * Turns the previous release's object read on or off (a migration setting, see SECURITY.md):
 * re-signs SERVICES (which exports those subjects since this release) and DEVICES (which imports
 * them only while on), keeping the revocations. Push both to running servers (`pushAccountJwt`
 * with `{ services: true }`), or start the servers from the setup. Needs the operator's setup
 * (the root signs SERVICES), never a gateway's. Writes only when a grant changes, so a start with
 * the same setting leaves both files as they are.
 */
export async function setLegacyObjectRead(
  setup: OperatorSetup,
  on: boolean,
): Promise<OperatorSetup> {
  const keys = setupKeys(setup);
  const services = await encodeServicesAccountJwt(
    setupKey(setup, "operator"),
    setupKey(setup, "servicesAccount").getPublicKey(),
    setupKey(setup, "servicesSigning").getPublicKey(),
  );
  const devices = await devicesAccountJwt(setup, keys, deviceRevocations(setup), on);
  const unchanged =
    sameClaims(services, setup.servicesAccount.jwt) &&
    sameClaims(devices, setup.devicesAccount.jwt);
  if (unchanged) return setup;
  writePublicFile(join(setup.dir, FILES.servicesAccountJwt), services);
  writePublicFile(join(setup.dir, FILES.devicesAccountJwt), devices);
  return loadOperatorSetup(setup.dir);
}

/** Whether two JWTs grant the same thing: subject, issuer, name and claims; not iat or jti. */
function sameClaims(a: string, b: string): boolean {
  const grant = (jwt: string) => {
    const { sub, iss, name, nats } = decode<Account>(jwt);
    return JSON.stringify({ sub, iss, name, nats });
  };
  return grant(a) === grant(b);
}

/** Signed by the operator's signing key (what a gateway holds), the root when none is held. */
function devicesAccountJwt(
  setup: ServerIdentities,
  keys: HeldKeys,
  revocations: Revocations,
  legacy = false,
): Promise<string> {
  const signer = keys.operatorSigning ?? keys.operator;
  if (!signer) throw missingKey("operatorSigning");
  const [devicesSigning] = decode<Account>(setup.devicesAccount.jwt).nats.signing_keys ?? [];
  if (typeof devicesSigning !== "string") {
    throw new IllegalStateError("the DEVICES account JWT lists no signing key");
  }
  return encodeDevicesAccountJwt(
    signer,
    setup.devicesAccount.publicKey,
    devicesSigning,
    setup.servicesAccount.publicKey,
    revocations,
    legacy,
  );
}

/** @internal The seeds behind a loaded setup; only this package signs with them. */
export function setupKeys(setup: ServerIdentities): HeldKeys {
  const keys = keysOf.get(setup);
  if (!keys) {
    throw new ValidationError(
      "not a setup from loadOperatorSetup/createOperatorSetup/loadGatewaySetup",
    );
  }
  return keys;
}

/** @internal One seed of a loaded setup; a clear error when this kind of setup does not hold it. */
export function setupKey(setup: ServerIdentities, name: keyof SetupKeys): KeyPair {
  const key = setupKeys(setup)[name];
  if (!key) throw missingKey(name);
  return key;
}

/** @internal Registers the seeds a gateway setup holds (gateway-setup.ts). */
export function holdKeys(setup: ServerIdentities, keys: HeldKeys): void {
  keysOf.set(setup, keys);
}

function missingKey(name: keyof SetupKeys): IllegalStateError {
  return new IllegalStateError(
    `this setup does not hold the ${name} key (${SEED_FILES[name]}): a gateway holds only the DEVICES and operator signing keys`,
  );
}

export function identity(key: KeyPair | string, jwt: string): Identity {
  const publicKey = typeof key === "string" ? key : key.getPublicKey();
  const subject = decode(jwt).sub;
  if (subject !== publicKey) {
    throw new IllegalStateError(`JWT subject ${subject} does not match its seed file`);
  }
  return Object.freeze({ publicKey, jwt });
}

export function readSeed(dir: string, file: string): KeyPair {
  const path = join(dir, file);
  if (!existsSync(path)) throw new NotFoundError(`operator setup in ${dir} lacks ${file}`);
  try {
    return nativeKeyPair(readFileSync(path, "utf8").trim());
  } catch (cause) {
    // The message names the file, never its content.
    throw new ValidationError(`${path} does not hold a valid nkey seed`, { cause });
  }
}

export function seedText(key: KeyPair): string {
  return `${new TextDecoder().decode(key.getSeed())}\n`;
}
