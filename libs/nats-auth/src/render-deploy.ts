/**
 * Writes the nats-server configs of `deploy/nats`, and optionally the credentials a deployment
 * needs.
 *
 *   npx tsx libs/nats-auth/src/render-deploy.ts                      # templates with placeholders
 *   npx tsx libs/nats-auth/src/render-deploy.ts --setup DIR --out OUT  # real configs for DIR's operator
 *     [--create]      create the operator setup in DIR first if there is none (dir 0700, seeds 0600)
 *     [--creds CDIR]  also write CDIR/services.creds (a SERVICES user for the orchestrators)
 *                     and CDIR/enrollment.creds (what devices say hello with), both 0600
 *     [--gateway GDIR] also write the gateways' own setup to GDIR (their STATECAST_NATS_AUTH_DIR:
 *                     signing keys and creds, never the operator root; mount it read-only)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { PLACEHOLDER_IDENTITIES, renderDeployConfigs } from "./deploy-configs.js";
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
for (const [file, text] of Object.entries(renderDeployConfigs(setup ?? PLACEHOLDER_IDENTITIES))) {
  writeFileSync(join(out, file), text);
  console.log(`wrote ${join(out, file)}`);
}
if (setup && values.creds) {
  mkdirSync(values.creds, { recursive: true, mode: 0o700 });
  const files = {
    "services.creds": await issueServiceUser(setup, "services"),
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
