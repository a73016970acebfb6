/**
 * Writes the nats-server configs of `deploy/nats`, and optionally the credentials a deployment
 * needs.
 *
 *   npx tsx libs/nats-auth/src/render-deploy.ts                      # templates with placeholders
 *   npx tsx libs/nats-auth/src/render-deploy.ts --setup DIR --out OUT  # real configs for DIR's operator
 *     [--create]      create the operator setup in DIR first if there is none (dir 0700, seeds 0600)
 *     [--creds CDIR]  also write CDIR/services.creds (a SERVICES user for orchestrator and gateway)
 *                     and CDIR/enrollment.creds (what devices say hello with), both 0600
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { PLACEHOLDER_IDENTITIES, renderDeployConfigs } from "./deploy-configs.js";
import { issueEnrollmentUser } from "./enrollment-user.js";
import { writePrivateFile } from "./files.js";
import { ensureOperatorSetup, loadOperatorSetup } from "./operator-setup.js";
import { issueServiceUser } from "./users.js";

const { values } = parseArgs({
  options: {
    setup: { type: "string" },
    out: { type: "string" },
    create: { type: "boolean" },
    creds: { type: "string" },
  },
});
if ((values.create || values.creds) && !values.setup) {
  throw new Error("--create and --creds need --setup DIR");
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
