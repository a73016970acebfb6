import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { LauncherConfig } from "../config/launcher.config.js";
import type { DemoConfig } from "./demo.config.js";
import { DemoFleet } from "./demo-fleet.js";

export { type DemoConfig, loadDemoConfig } from "./demo.config.js";
export { DemoFleet } from "./demo-fleet.js";

/** Starts the demo fleet against what the launcher runs (or undefined when STATECAST_DEMO=0). */
export function startDemo(
  config: LauncherConfig,
  demo: DemoConfig,
  env: Record<string, string | undefined>,
  print: (line: string) => void,
): DemoFleet | undefined {
  if (!demo.enabled) return undefined;
  const tokenFile = join(config.dataDir, "admin-token");
  return new DemoFleet({
    config: demo,
    dataDir: config.dataDir,
    orchestratorUrl: `http://127.0.0.1:${config.orchestratorPort}`,
    gatewayUrl: `http://127.0.0.1:${config.gatewayPort}`,
    adminToken: config.adminToken ?? readToken(tokenFile),
    adminTokenSource: config.adminToken ? { env: "STATECAST_ADMIN_TOKEN" } : { file: tokenFile },
    natsUrl: config.natsUrl ? undefined : `nats://127.0.0.1:${config.natsPort}`,
    env,
    print,
  });
}

function readToken(file: string): string {
  return readFileSync(file, "utf8").trim();
}
