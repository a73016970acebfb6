import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { prettyLineFormatter } from "@statecast/platform";
import type { LauncherConfig } from "./config/launcher.config.js";
import type { NatsAuth } from "./nats-auth.js";
import { type ServiceProcess, spawnService } from "./service-process.js";
import { waitUntilReady } from "./wait-ready.js";

export interface ServiceSpec {
  name: "orchestrator" | "device-gateway";
  port: number;
}

export interface RunningServiceProcess {
  readonly process: ServiceProcess;
  readonly url: string;
}

export interface ServiceEnvironment {
  /** The launcher's own environment (PATH, HOME…), passed on to the services. */
  base: Record<string, string | undefined>;
  databaseUrl: string;
  natsUrl: string;
  adminToken: string;
  /** The embedded server's generated security; undefined with NATS_URL (the base env applies). */
  natsAuth: NatsAuth | undefined;
}

function entryOf(name: ServiceSpec["name"]): string {
  const entry = fileURLToPath(new URL(`../../${name}/dist/main.js`, import.meta.url));
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  return entry;
}

/** Spawns one built service with the launcher's settings and waits for its `/health/ready`. */
export async function startService(
  spec: ServiceSpec,
  config: LauncherConfig,
  env: ServiceEnvironment,
  output: (line: string) => void,
): Promise<RunningServiceProcess> {
  const child = spawnService({
    name: spec.name,
    entry: entryOf(spec.name),
    output,
    ...(config.logFormat === "pretty"
      ? { formatLine: prettyLineFormatter(true, { hideName: true }) }
      : {}),
    env: {
      ...env.base,
      STATECAST_DATA_DIR: config.dataDir,
      DATABASE_URL: env.databaseUrl,
      NATS_URL: env.natsUrl,
      STATECAST_HTTP_PORT: String(spec.port),
      STATECAST_ADMIN_TOKEN: env.adminToken,
      STATECAST_LOG_LEVEL: config.logLevel,
      LOG_FORMAT: "json", // their stdout is our pipe; we show it (see formatLine)
      OTEL_EXPORTER_OTLP_ENDPOINT: config.otlpEndpoint,
      ...(env.natsAuth
        ? {
            NATS_CREDS: env.natsAuth.creds[spec.name],
            NATS_CA: env.natsAuth.tls.caFile,
            // Only the gateway signs device credentials and revocations, with its own keys.
            ...(spec.name === "device-gateway"
              ? { STATECAST_NATS_AUTH_DIR: env.natsAuth.gatewayDir }
              : {}),
          }
        : {}),
    },
  });
  const url = `http://127.0.0.1:${spec.port}`;
  try {
    await waitUntilReady(child, url);
  } catch (err) {
    await child.stop(5_000);
    throw err;
  }
  return { process: child, url };
}
