import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { decode } from "@nats-io/jwt";
import { IllegalStateError, NotFoundError } from "@statecast/contract";
import { writePrivateFile, writePublicFile } from "./files.js";
import {
  FILES,
  holdKeys,
  identity,
  type OperatorSetup,
  readSeed,
  SEED_FILES,
  type ServerIdentities,
  seedText,
  setupKey,
} from "./operator-setup.js";
import { issueClaimsUpdateUser, issueServiceUser } from "./users.js";

/**
 * What a gateway holds, and nothing more: the public JWTs, the DEVICES signing key (device and
 * enrollment users), the operator's signing key (re-signs the DEVICES JWT with its revocations),
 * a system user that may only push account JWT updates, and its own SERVICES user. The operator
 * root and the account identity seeds stay with the operator (`createOperatorSetup`).
 */
export interface GatewaySetup extends ServerIdentities {
  readonly dir: string;
}

export const GATEWAY_FILES = {
  claimsUpdateCreds: "claims-update.creds",
  servicesCreds: "services.creds",
} as const;

const GATEWAY_SEEDS = ["devicesSigning", "operatorSigning"] as const;

/**
 * Writes the gateway's directory from the operator's setup (dir 0700, secrets 0600): what
 * `STATECAST_NATS_AUTH_DIR` of a gateway names, mounted read-only. Its `services.creds` is the
 * gateway's NATS_CREDS. Written again on each `npm start`; safe to overwrite (the revocations
 * live in the events).
 */
export async function writeGatewaySetup(
  setup: OperatorSetup,
  dir: string,
  serviceName = "device-gateway",
): Promise<GatewaySetup> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const jwts: [string, string][] = [
    [FILES.operatorJwt, setup.operator.jwt],
    [FILES.systemAccountJwt, setup.systemAccount.jwt],
    [FILES.servicesAccountJwt, setup.servicesAccount.jwt],
    [FILES.devicesAccountJwt, setup.devicesAccount.jwt],
  ];
  for (const [file, jwt] of jwts) writePublicFile(join(dir, file), jwt);
  for (const name of GATEWAY_SEEDS) {
    writePrivateFile(join(dir, SEED_FILES[name]), seedText(setupKey(setup, name)));
  }
  writePrivateFile(join(dir, GATEWAY_FILES.claimsUpdateCreds), await issueClaimsUpdateUser(setup));
  writePrivateFile(
    join(dir, GATEWAY_FILES.servicesCreds),
    await issueServiceUser(setup, serviceName, "device-gateway"),
  );
  return loadGatewaySetup(dir);
}

/**
 * Reads a gateway's directory (`writeGatewaySetup`). Refuses a directory holding the operator
 * root seed: a gateway must not hold it.
 */
export function loadGatewaySetup(dir: string): GatewaySetup {
  if (!existsSync(join(dir, FILES.operatorJwt))) {
    throw new NotFoundError(`no gateway NATS setup in ${dir} (expected ${FILES.operatorJwt})`);
  }
  if (existsSync(join(dir, SEED_FILES.operator))) {
    throw new IllegalStateError(
      `${dir} holds the operator root seed (${SEED_FILES.operator}): give the gateway its own directory (writeGatewaySetup, render-deploy --gateway)`,
    );
  }
  const jwt = (file: string) => readFileSync(join(dir, file), "utf8").trim();
  const subject = (file: string) => identity(decode(jwt(file)).sub, jwt(file));
  const devicesSigning = readSeed(dir, SEED_FILES.devicesSigning);
  const operatorSigning = readSeed(dir, SEED_FILES.operatorSigning);
  const credsPath = join(dir, GATEWAY_FILES.claimsUpdateCreds);
  if (!existsSync(credsPath)) {
    throw new NotFoundError(
      `gateway NATS setup in ${dir} lacks ${GATEWAY_FILES.claimsUpdateCreds}`,
    );
  }
  const setup: GatewaySetup = Object.freeze({
    dir,
    operator: subject(FILES.operatorJwt),
    systemAccount: subject(FILES.systemAccountJwt),
    servicesAccount: subject(FILES.servicesAccountJwt),
    devicesAccount: subject(FILES.devicesAccountJwt),
  });
  holdKeys(setup, {
    kind: "gateway",
    devicesSigning,
    operatorSigning,
    claimsUpdateCreds: readFileSync(credsPath, "utf8"),
  });
  return setup;
}
