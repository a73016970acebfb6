import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { LogSink } from "@statecast/device-agent/dist/log.js";
import { prettyLineFormatter } from "@statecast/platform";
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
    // The embedded server is TLS only: the demo agents pin the CA the launcher made.
    natsUrl: config.natsUrl ? undefined : `tls://127.0.0.1:${config.natsPort}`,
    natsCaFile: join(config.dataDir, "nats-tls", "ca.pem"),
    env,
    print,
    ...(config.logFormat === "pretty" ? { logSink: prettyAgentLines(print) } : {}),
  });
}

const PINO_LEVELS: Record<string, number> = { info: 30, warn: 40, error: 50 };

/** On a terminal the demo agents' JSON lines are shown as the services' are (pino-pretty). */
function prettyAgentLines(print: (line: string) => void): LogSink {
  const format = prettyLineFormatter(true);
  return ({ t, level, deviceId, msg, ...fields }) => {
    const time = typeof t === "string" ? Date.parse(t) : Date.now();
    const pinoLine = {
      level: PINO_LEVELS[String(level)] ?? 30,
      time,
      name: deviceId,
      msg,
      ...fields,
    };
    print(`[demo] ${format(JSON.stringify(pinoLine))}`);
  };
}

function readToken(file: string): string {
  return readFileSync(file, "utf8").trim();
}
