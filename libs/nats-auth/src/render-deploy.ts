/**
 * Writes the nats-server configs of `deploy/nats`, and optionally the credentials a deployment
 * needs.
 *
 *   npx tsx libs/nats-auth/src/render-deploy.ts                      # templates with placeholders
 *   npx tsx libs/nats-auth/src/render-deploy.ts --setup DIR --out OUT  # real configs for DIR's operator
 *     [--create]      create the operator setup in DIR first if there is none (dir 0700, seeds 0600)
 *     [--creds CDIR]  also write CDIR/services.creds (a SERVICES user for the orchestrators)
 *                     and CDIR/enrollment.creds (what devices say hello with), both 0600
 *     [--tls TDIR]    also create a CA and the servers' certificate in TDIR (once; kept after):
 *                     mount TDIR at /etc/nats/tls on the servers, give clients TDIR/ca.pem
 *     [--tls-host H]  more names or addresses the certificate covers (repeatable; nats-1..3,
 *                     nats, localhost and 127.0.0.1 always)
 *     [--gateway GDIR] also write the gateways' own setup to GDIR (their STATECAST_NATS_AUTH_DIR:
 *                     signing keys and creds, never the operator root; mount it read-only)
 */

import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { CLUSTER_NODES, PLACEHOLDER_IDENTITIES, renderDeployConfigs } from "./deploy-configs.js";
import { issueEnrollmentUser } from "./enrollment-user.js";
import { writePrivateFile } from "./files.js";
import { writeGatewaySetup } from "./gateway-setup.js";
import { ensureOperatorSetup, loadOperatorSetup } from "./operator-setup.js";
import { issueServiceUser } from "./users.js";

const { values } = parseArgs({
  options: {
    setup: { type: "string" },
    out: { type: "string" },
    create: { type: "boolean" },
    creds: { type: "string" },
    gateway: { type: "string" },
    tls: { type: "string" },
    "tls-host": { type: "string", multiple: true },
  },
});
if ((values.create || values.creds || values.gateway) && !values.setup) {
  throw new Error("--create, --creds and --gateway need --setup DIR");
}
const repoDeployDir = resolve(import.meta.dirname, "../../../deploy/nats");
const out = resolve(values.out ?? repoDeployDir);
const setup = values.setup
  ? values.create
    ? await ensureOperatorSetup(values.setup)
    : loadOperatorSetup(values.setup)
  : undefined;
mkdirSync(out, { recursive: true });
// A random route password, kept with the setup (0600) so every render agrees on it.
const routePassword = setup ? ensureRoutePassword(setup.dir) : undefined;
const configs = renderDeployConfigs(setup ?? PLACEHOLDER_IDENTITIES, routePassword);
for (const [file, text] of Object.entries(configs)) {
  writeFileSync(join(out, file), text);
  console.log(`wrote ${join(out, file)}`);
}
if (setup && values.creds) {
  mkdirSync(values.creds, { recursive: true, mode: 0o700 });
  const files = {
    // The orchestrators' SERVICES user, limited to their part (the gateways' is in --gateway).
    "services.creds": await issueServiceUser(setup, "orchestrator", "orchestrator"),
    "enrollment.creds": (await issueEnrollmentUser(setup)).creds,
  };
  for (const [file, text] of Object.entries(files)) {
    writePrivateFile(join(values.creds, file), text);
    console.log(`wrote ${join(values.creds, file)} (0600)`);
  }
}
if (setup && values.gateway) {
  await writeGatewaySetup(setup, values.gateway);
  console.log(`wrote ${values.gateway} (the gateways' NATS setup, 0700; secrets 0600)`);
}
if (values.tls) {
  const hosts = [...CLUSTER_NODES, "nats", "localhost", "127.0.0.1", ...(values["tls-host"] ?? [])];
  const { ensureTlsFiles } = await import("./tls-setup.js");
  const files = await ensureTlsFiles(values.tls, hosts);
  console.log(
    `TLS in ${values.tls}: give clients ${files.caFile} (NATS_CA, the agent's --nats-ca)`,
  );
}

function ensureRoutePassword(dir: string): string {
  const file = join(dir, "route.password");
  if (!existsSync(file)) writePrivateFile(file, `${randomBytes(24).toString("base64url")}\n`);
  return readFileSync(file, "utf8").trim();
}
