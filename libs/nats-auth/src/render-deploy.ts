/**
 * Writes the nats-server configs of `deploy/nats`.
 *
 *   npx tsx libs/nats-auth/src/render-deploy.ts                      # templates with placeholders
 *   npx tsx libs/nats-auth/src/render-deploy.ts --setup DIR --out OUT  # real configs for DIR's operator
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { PLACEHOLDER_IDENTITIES, renderDeployConfigs } from "./deploy-configs.js";
import { loadOperatorSetup } from "./operator-setup.js";

const { values } = parseArgs({
  options: { setup: { type: "string" }, out: { type: "string" } },
});
const repoDeployDir = resolve(import.meta.dirname, "../../../deploy/nats");
const out = resolve(values.out ?? repoDeployDir);
const identities = values.setup ? loadOperatorSetup(values.setup) : PLACEHOLDER_IDENTITIES;
mkdirSync(out, { recursive: true });
for (const [file, text] of Object.entries(renderDeployConfigs(identities))) {
  writeFileSync(join(out, file), text);
  console.log(`wrote ${join(out, file)}`);
}
