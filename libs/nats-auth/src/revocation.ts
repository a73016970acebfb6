import { connect } from "@nats-io/transport-node";
import { IllegalStateError, ValidationError } from "@statecast/contract";
import { credsConnectionOptions, tlsConnectionOptions } from "./connection-options.js";
import { type ServerIdentities, updateDeviceRevocations } from "./operator-setup.js";
import { CLAIMS_UPDATE_SUBJECT, claimsUpdateCreds } from "./users.js";

export interface RevokeOptions {
  /** Servers to push the new account JWT to, through the system account; none: store only. */
  servers?: string | string[];
  /** Revoke user JWTs issued at or before this time (default: now). */
  at?: Date;
  /** The servers' CA (PEM file): connect over TLS trusting only it. */
  caFile?: string;
}

/**
 * Revokes every user JWT issued so far to the device key `devicePublicKey`: the DEVICES JWT is
 * re-signed with the key in its `revocations` (stored in an operator setup's dir; a gateway's
 * setup keeps it in the returned setup), and pushed to the running
 * servers (`$SYS.REQ.CLAIMS.UPDATE`), which close the device's open connections and refuse new
 * ones. A JWT issued later for the same key (re-enrollment) is valid again.
 */
export async function revokeDevice<S extends ServerIdentities & { dir: string }>(
  setup: S,
  devicePublicKey: string,
  options: RevokeOptions = {},
): Promise<S> {
  if (!/^U[A-Z2-7]{55}$/.test(devicePublicKey)) {
    throw new ValidationError("revokeDevice takes a device's user public nkey (U…)");
  }
  const at = Math.floor((options.at ?? new Date()).getTime() / 1000);
  const updated = await updateDeviceRevocations(setup, { [devicePublicKey]: at });
  if (options.servers !== undefined) {
    await pushAccountJwt(updated, options.servers, { caFile: options.caFile });
  }
  return updated;
}

/**
 * Sends the setup's current DEVICES JWT (and with `services`, first the SERVICES JWT: after
 * `setLegacyObjectRead`) to running servers; the resolver stores and applies it.
 */
export async function pushAccountJwt(
  setup: ServerIdentities,
  servers: string | string[],
  options: { services?: boolean; caFile?: string | undefined } = {},
): Promise<void> {
  const nc = await connect({
    servers,
    name: "statecast-claims-update",
    ...tlsConnectionOptions(options.caFile),
    ...credsConnectionOptions(await claimsUpdateCreds(setup)),
  });
  try {
    const jwts = options.services ? [setup.servicesAccount.jwt] : [];
    for (const jwt of [...jwts, setup.devicesAccount.jwt]) {
      const reply = await nc.request(CLAIMS_UPDATE_SUBJECT, jwt, { timeout: 5_000 });
      const body = reply.json<ClaimsUpdateReply>();
      if (body.error || body.data?.code !== 200) {
        const why = body.error?.description ?? body.data?.message ?? "no reason given";
        throw new IllegalStateError(`nats-server refused the account JWT update: ${why}`);
      }
    }
  } finally {
    await nc.close();
  }
}

interface ClaimsUpdateReply {
  data?: { account?: string; code?: number; message?: string };
  error?: { account?: string; code?: number; description?: string };
}
