import { z } from "zod";
import { type Environment, loadConfig } from "./load-config.js";
import {
  adminTokenSetting,
  directorySetting,
  hostSetting,
  httpUrlSetting,
  type LogLevel,
  logLevelSetting,
  millisecondsSetting,
  natsUrlSetting,
  portSetting,
  postgresUrlSetting,
  wholeNumberSetting,
} from "./settings.js";

/** Retention backstops of a JetStream stream (Postgres is the record; see docs in README). */
export interface StreamLimits {
  maxAgeSeconds: number;
  maxBytes: number;
}

const DAY = 86_400;
const GIB = 1024 ** 3;
// At least an hour: above the streams' 10-minute msgID duplicate window, which JetStream requires.
const maxAgeSetting = wholeNumberSetting(3600, 3650 * DAY, "seconds");
const maxBytesSetting = wholeNumberSetting(1024 ** 2, 2 ** 50, "bytes");

/** What every Statecast service (orchestrator, gateway) is configured with. */
export interface ServiceConfig {
  dataDir: string;
  databaseUrl: string;
  natsServers: string[];
  /** A NATS `.creds` file (user JWT + seed) for servers in operator mode; none: no credentials. */
  natsCredsFile?: string | undefined;
  /** The CA (PEM) the NATS servers' certificates are checked against: TLS required, CA pinned. */
  natsCaFile?: string | undefined;
  /**
   * JetStream replicas of the streams and buckets a service creates (1, 3 or 5; default 1). Set
   * 3 on a 3-node cluster so losing one node loses neither data nor availability.
   */
  natsReplicas: number;
  /** SC_EVENTS (the relay's stream, created and updated by the orchestrator). */
  eventsStream: StreamLimits;
  /** SC_DEVICE_STATUS (created and updated by the gateway, which also trims what it consumed). */
  statusStream: StreamLimits;
  /** Postgres `statement_timeout` of the service's pool: no request holds a connection longer. */
  statementTimeoutMs: number;
  /** Postgres `idle_in_transaction_session_timeout` of the pool: an abandoned transaction ends. */
  idleInTransactionTimeoutMs: number;
  httpHost: string;
  httpPort: number;
  adminToken: string | undefined;
  logLevel: LogLevel;
  otlpEndpoint: string | undefined;
}

/** The shared settings of a service, keyed by environment variable; extend it per app. */
export function serviceSettings(defaultHttpPort: number) {
  return z.object({
    STATECAST_DATA_DIR: directorySetting.default("./.statecast"),
    DATABASE_URL: postgresUrlSetting,
    NATS_URL: natsUrlSetting,
    NATS_CREDS: directorySetting.describe("a NATS .creds file path").optional(),
    NATS_CA: directorySetting
      .describe("the CA file (PEM) of the NATS servers: connect over TLS, trusting only it")
      .optional(),
    NATS_REPLICAS: z
      .enum(["1", "3", "5"])
      .transform(Number)
      .default(1)
      .describe("JetStream replicas of the streams and buckets the services create: 1, 3 or 5"),
    STATECAST_EVENTS_STREAM_MAX_AGE_SECONDS: maxAgeSetting.default(7 * DAY),
    STATECAST_EVENTS_STREAM_MAX_BYTES: maxBytesSetting.default(GIB),
    STATECAST_STATUS_STREAM_MAX_AGE_SECONDS: maxAgeSetting.default(7 * DAY),
    STATECAST_STATUS_STREAM_MAX_BYTES: maxBytesSetting.default(GIB),
    STATECAST_STATEMENT_TIMEOUT_MS: millisecondsSetting.default(30_000),
    STATECAST_IDLE_IN_TRANSACTION_TIMEOUT_MS: millisecondsSetting.default(60_000),
    STATECAST_HTTP_HOST: hostSetting.default("127.0.0.1"),
    STATECAST_HTTP_PORT: portSetting.default(defaultHttpPort),
    STATECAST_ADMIN_TOKEN: adminTokenSetting.optional(),
    STATECAST_LOG_LEVEL: logLevelSetting.optional(),
    LOG_LEVEL: logLevelSetting.optional().describe("same as STATECAST_LOG_LEVEL, which wins"),
    LOG_FORMAT: z
      .enum(["json", "pretty"])
      .optional()
      .describe("json (default when stdout is not a terminal) or pretty"),
    OTEL_EXPORTER_OTLP_ENDPOINT: httpUrlSetting.optional(),
  });
}

export type ServiceSettings = z.output<ReturnType<typeof serviceSettings>>;

export function toServiceConfig(settings: ServiceSettings): ServiceConfig {
  return {
    dataDir: settings.STATECAST_DATA_DIR,
    databaseUrl: settings.DATABASE_URL,
    natsServers: settings.NATS_URL,
    natsCredsFile: settings.NATS_CREDS,
    natsCaFile: settings.NATS_CA,
    natsReplicas: settings.NATS_REPLICAS,
    eventsStream: {
      maxAgeSeconds: settings.STATECAST_EVENTS_STREAM_MAX_AGE_SECONDS,
      maxBytes: settings.STATECAST_EVENTS_STREAM_MAX_BYTES,
    },
    statusStream: {
      maxAgeSeconds: settings.STATECAST_STATUS_STREAM_MAX_AGE_SECONDS,
      maxBytes: settings.STATECAST_STATUS_STREAM_MAX_BYTES,
    },
    statementTimeoutMs: settings.STATECAST_STATEMENT_TIMEOUT_MS,
    idleInTransactionTimeoutMs: settings.STATECAST_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    httpHost: settings.STATECAST_HTTP_HOST,
    httpPort: settings.STATECAST_HTTP_PORT,
    adminToken: settings.STATECAST_ADMIN_TOKEN,
    logLevel: settings.STATECAST_LOG_LEVEL ?? settings.LOG_LEVEL ?? "info",
    otlpEndpoint: settings.OTEL_EXPORTER_OTLP_ENDPOINT,
  };
}

/** Loads the shared service settings only (for services with nothing of their own yet). */
export function loadServiceConfig(defaultHttpPort: number, env: Environment): ServiceConfig {
  return toServiceConfig(loadConfig(serviceSettings(defaultHttpPort), env));
}
