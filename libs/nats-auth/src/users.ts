import {
  createUser as createSlowUser,
  encodeUser,
  fmtCreds,
  fromPublic,
  type KeyPair,
} from "@nats-io/jwt";
import { ValidationError } from "@statecast/contract";
import { type DevicePermissionOptions, devicePermissions } from "./device-permissions.js";
import { assertDeviceId, assertUserName } from "./names.js";
import { nativeKeyPair } from "./native-nkeys.js";
import {
  type OperatorSetup,
  type ServerIdentities,
  setupKey,
  setupKeys,
} from "./operator-setup.js";
import { type ServiceRole, servicePermissions } from "./service-permissions.js";

/** What the gateway hands a device: its user JWT, and the creds text when the seed was made here. */
export interface DeviceCredentials {
  readonly deviceId: string;
  /** The device's user nkey (`U…`): what `revokeDevice` takes. */
  readonly publicKey: string;
  readonly jwt: string;
  /** JWT + seed in the `.creds` format; absent when the device keeps its own seed. */
  readonly creds?: string;
  /** When the JWT expires (the device renews before), or undefined for a JWT that never does. */
  readonly expiresAt?: Date;
}

/**
 * Creds for a service (gateway, orchestrator relay…): a user of the SERVICES account that can
 * manage streams, KV and object stores; with a `role`, limited to that service's part
 * (`servicePermissions`), else unlimited (tools, benches, a site's leaf link).
 */
export async function issueServiceUser(
  setup: OperatorSetup,
  name: string,
  role?: ServiceRole,
): Promise<string> {
  assertUserName(name);
  const user = createUser();
  const { servicesAccount } = setup;
  const signer = { signer: setupKey(setup, "servicesSigning") };
  const limits = role ? servicePermissions(role) : {};
  const jwt = await encodeUser(`service:${name}`, user, servicesAccount.publicKey, limits, signer);
  return credsText(jwt, user);
}

/** What a site's leaf node (leaf.conf) connects to its hub with: one creds text per account. */
export interface SiteCredentials {
  readonly services: string;
  readonly devices: string;
  readonly system: string;
}

/** Creds for a site leaf node's links to its hub (unrestricted users: servers, not clients). */
export async function issueSiteCredentials(
  setup: OperatorSetup,
  site: string,
): Promise<SiteCredentials> {
  assertUserName(site);
  const devices = createUser();
  const devicesJwt = await encodeUser(
    `site:${site}`,
    devices,
    setup.devicesAccount.publicKey,
    { allowed_connection_types: ["LEAFNODE"] },
    { signer: setupKey(setup, "devicesSigning") },
  );
  return {
    services: await issueServiceUser(setup, `site-${site}`),
    devices: credsText(devicesJwt, devices),
    system: await issueSystemUser(setup),
  };
}

/**
 * A device's user in the DEVICES account, signed by its signing key, limited to `devicePermissions(deviceId)`.
 * Pass the device's own public nkey (`U…`, from enrollment) to keep its seed on the device;
 * without one a key pair is generated and returned inside `creds`. With `lifetimeSeconds` the
 * JWT expires then (the server cuts the connection; the agent renews before, see the hello).
 * `permissions.legacyTargetWatch` issues the previous release's target watch (see
 * DevicePermissionOptions), only for an agent that does not use the fixed consumer.
 */
export async function issueDeviceUser(
  setup: ServerIdentities,
  deviceId: string,
  publicNkey?: string,
  lifetimeSeconds?: number,
  permissions: DevicePermissionOptions = {},
): Promise<DeviceCredentials> {
  assertDeviceId(deviceId);
  const exp =
    lifetimeSeconds === undefined ? undefined : Math.floor(Date.now() / 1000) + lifetimeSeconds;
  const own = publicNkey === undefined ? createUser() : undefined;
  const key = publicNkey === undefined ? own! : devicePublicKey(publicNkey);
  const jwt = await encodeUser(
    `device:${deviceId}`,
    key,
    setup.devicesAccount.publicKey,
    {
      ...devicePermissions(deviceId, permissions),
      bearer_token: false,
      allowed_connection_types: ["STANDARD"],
    },
    { signer: setupKey(setup, "devicesSigning"), ...(exp === undefined ? {} : { exp }) },
  );
  const publicKey = key.getPublicKey();
  const expiry = exp === undefined ? {} : { expiresAt: new Date(exp * 1000) };
  return own
    ? { deviceId, publicKey, jwt, creds: credsText(jwt, own), ...expiry }
    : { deviceId, publicKey, jwt, ...expiry };
}

/** An unrestricted user of the system account (a site leaf node's link to its hub). */
export async function issueSystemUser(setup: OperatorSetup): Promise<string> {
  const user = createUser();
  const jwt = await encodeUser("system", user, setupKey(setup, "systemAccount"));
  return credsText(jwt, user);
}

/**
 * A system-account user that may only push account JWT updates (`$SYS.REQ.CLAIMS.UPDATE`) and
 * read the replies: what a gateway holds to make revocations take effect.
 */
export async function issueClaimsUpdateUser(setup: OperatorSetup): Promise<string> {
  const user = createUser();
  const jwt = await encodeUser("claims-update", user, setupKey(setup, "systemAccount"), {
    pub: { allow: [CLAIMS_UPDATE_SUBJECT], deny: [] },
    sub: { allow: ["_INBOX.>"], deny: [] },
    bearer_token: false,
  });
  return credsText(jwt, user);
}

/** The creds `pushAccountJwt` connects with: the gateway's stored ones, or freshly issued. */
export function claimsUpdateCreds(setup: ServerIdentities): Promise<string> {
  const stored = setupKeys(setup).claimsUpdateCreds;
  return stored ? Promise.resolve(stored) : issueClaimsUpdateUser(setup as OperatorSetup);
}

export const CLAIMS_UPDATE_SUBJECT = "$SYS.REQ.CLAIMS.UPDATE";

/** The `.creds` text for a user JWT and the seed the device kept (`SU…`). */
export function credsText(jwt: string, user: KeyPair): string {
  return new TextDecoder().decode(fmtCreds(jwt, user));
}

function createUser(): KeyPair {
  return nativeKeyPair(createSlowUser().getSeed()); // seed generation is cheap; signing is not
}

function devicePublicKey(publicNkey: string): KeyPair {
  try {
    const key = fromPublic(publicNkey);
    if (key.getPublicKey().startsWith("U")) return key;
  } catch (cause) {
    // Never echo the input: a confused caller may have passed a seed.
    throw new ValidationError("device key is not a public nkey", { cause });
  }
  throw new ValidationError("device key is not a user public nkey (U…)");
}
