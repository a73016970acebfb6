import { resolve } from "node:path";
import {
  adminTokenSetting,
  directorySetting,
  type Environment,
  httpUrlSetting,
  type LogLevel,
  loadConfig,
  logLevelSetting,
  natsUrlSetting,
  portSetting,
  postgresUrlSetting,
} from "@statecast/platform/config";
import { z } from "zod";

/** What `npm start` reads: the shared names, plus the ports of what it runs itself. */
export const launcherSettings = z.object({
  STATECAST_DATA_DIR: directorySetting.default("./.statecast"),
  DATABASE_URL: postgresUrlSetting.optional(),
  NATS_URL: natsUrlSetting.optional(),
  STATECAST_ADMIN_TOKEN: adminTokenSetting.optional(),
  STATECAST_LOG_LEVEL: logLevelSetting.optional(),
  LOG_LEVEL: logLevelSetting.optional(),
  LOG_FORMAT: z.enum(["json", "pretty"]).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrlSetting.optional(),
  STATECAST_ORCHESTRATOR_PORT: portSetting.default(8080),
  STATECAST_GATEWAY_PORT: portSetting.default(8081),
  // Not 5432 / 4222: the machine's own Postgres and NATS may be there.
  STATECAST_POSTGRES_PORT: portSetting.default(5433),
  STATECAST_NATS_PORT: portSetting.default(4223),
  // Migration: agents of the release before object access moved to the gateway read sc_objects
  // themselves. On = every device holding such a JWT reads every object (see SECURITY.md).
  STATECAST_LEGACY_OBJECT_READ: z
    .enum(["on", "off"], { message: 'expected "on" or "off"' })
    .default("off")
    .describe("previous-release agents may read sc_objects through JetStream (weakens isolation)"),
});

export interface LauncherConfig {
  /** Absolute. */
  dataDir: string;
  /** Unset = an embedded Postgres under the data dir. */
  databaseUrl: string | undefined;
  /** Unset = a nats-server child with its store under the data dir. */
  natsUrl: string | undefined;
  adminToken: string | undefined;
  logLevel: LogLevel;
  /** How the services' log lines are shown: as they come (json) or one readable line each. */
  logFormat: "json" | "pretty";
  otlpEndpoint: string | undefined;
  orchestratorPort: number;
  gatewayPort: number;
  postgresPort: number;
  natsPort: number;
  /** Previous-release agents may read `sc_objects` (a migration setting; default off). */
  legacyObjectRead: boolean;
}

export function loadLauncherConfig(
  env: Environment,
  cwd: string,
  stdout: { isTTY?: boolean } = process.stdout,
): LauncherConfig {
  const s = loadConfig(launcherSettings, env);
  return {
    dataDir: resolve(cwd, s.STATECAST_DATA_DIR),
    databaseUrl: s.DATABASE_URL,
    natsUrl: s.NATS_URL?.join(","),
    adminToken: s.STATECAST_ADMIN_TOKEN,
    logLevel: s.STATECAST_LOG_LEVEL ?? s.LOG_LEVEL ?? "info",
    logFormat: s.LOG_FORMAT ?? (stdout.isTTY ? "pretty" : "json"),
    otlpEndpoint: s.OTEL_EXPORTER_OTLP_ENDPOINT,
    orchestratorPort: s.STATECAST_ORCHESTRATOR_PORT,
    gatewayPort: s.STATECAST_GATEWAY_PORT,
    postgresPort: s.STATECAST_POSTGRES_PORT,
    natsPort: s.STATECAST_NATS_PORT,
    legacyObjectRead: s.STATECAST_LEGACY_OBJECT_READ === "on",
  };
}
