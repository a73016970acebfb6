import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  type Environment,
  loadConfig,
  type ServiceConfig,
  serviceSettings,
  toServiceConfig,
} from "@statecast/platform";
import { z } from "zod";
import type { LegacyTargetWatch } from "../enrollment/hello.js";
import { DEFAULT_HELLO_LIMITS, type HelloLimitOptions } from "../enrollment/hello-limits.js";
import { DEFAULT_CHUNK_CACHE_BYTES } from "../objects/chunk-cache.js";
import { DEFAULT_OBJECT_READS, type ReadGateOptions } from "../objects/read-gate.js";
import { DEFAULT_REPORT_RATE, type ReportRateOptions } from "../status/report-rate.js";
import { targetKeyDir } from "../targets/target-key.js";

export const GATEWAY_DEFAULT_PORT = 8081;
const MIB = 1024 * 1024;

/**
 * A directory written by `writeGatewaySetup` (@statecast/nats-auth): the public JWTs and the
 * gateway's signing keys, never the operator root seed (`operator.nk`).
 */
const natsAuthDirSetting = z
  .string()
  .trim()
  .min(1)
  .refine((dir) => existsSync(join(dir, "operator.jwt")), {
    message:
      "expected a directory holding a Statecast gateway NATS setup (operator.jwt, devices-signing.nk, operator-signing.nk, claims-update.creds)",
  })
  .refine((dir) => !existsSync(join(dir, "operator.nk")), {
    message:
      "holds the operator root seed (operator.nk): give the gateway its own directory (writeGatewaySetup, render-deploy --gateway)",
  })
  .describe("the gateway's NATS setup directory (see @statecast/nats-auth writeGatewaySetup)");

const secondsSetting = (what: string) =>
  z
    .string()
    .trim()
    .refine((v) => /^\d{1,9}$/.test(v) && Number(v) >= 1, {
      message: "expected a whole number of seconds ≥ 1",
    })
    .transform((v) => Number(v) * 1000)
    .describe(what);

const lifetimeSetting = secondsSetting("target lifetime in seconds (default 604800, 7 days)");

/** The gateway's settings by environment variable: add new ones here. */
export const gatewaySettings = serviceSettings(GATEWAY_DEFAULT_PORT).extend({
  // Enrollment and revocation sign with the gateway setup's keys; unset = both disabled.
  STATECAST_NATS_AUTH_DIR: natsAuthDirSetting.optional(),
  // The gateway's own target signing key (a mounted Secret in deploy/k8s); the data dir's otherwise.
  STATECAST_TARGET_KEY_DIR: z
    .string()
    .trim()
    .min(1)
    .optional()
    .describe(
      "directory holding the target signing key target-signing.pem (default <STATECAST_DATA_DIR>/keys; created there when missing)",
    ),
  // How long a signed target stays valid (anti-freeze); a device back online gets it refreshed.
  STATECAST_TARGET_LIFETIME_SECONDS: lifetimeSetting.optional(),
  // Silence after which a device is declared offline (agents beat every 30 s).
  STATECAST_OFFLINE_AFTER_SECONDS: secondsSetting(
    "offline timeout in seconds (default 90)",
  ).optional(),
  // Metrics from one device more often than this (on average, bursts of 3) are dropped.
  STATECAST_METRICS_MIN_INTERVAL_SECONDS: secondsSetting(
    "least seconds between two metrics messages of one device (default 5)",
  ).optional(),
  // Lifetime of the user JWTs of agents that renew them (the agent renews at two thirds of it).
  STATECAST_DEVICE_CREDENTIALS_SECONDS: secondsSetting(
    "device credentials lifetime in seconds (default 86400, 24 h)",
  ).optional(),
  STATECAST_HELLO_RATE: z.coerce
    .number()
    .positive()
    .default(DEFAULT_HELLO_LIMITS.helloRate)
    .describe("hellos per second one gateway answers, all devices together"),
  STATECAST_PENDING_RATE: z.coerce
    .number()
    .positive()
    .default(DEFAULT_HELLO_LIMITS.pendingRate)
    .describe("new pending devices (hellos without a token) per second per fleet"),
  STATECAST_MAX_PENDING_DEVICES: z.coerce
    .number()
    .int()
    .positive()
    .default(DEFAULT_HELLO_LIMITS.maxPendingPerFleet)
    .describe("devices a fleet may hold pending approval"),
  STATECAST_TOKEN_REQUIRED_FLEETS: z
    .string()
    .default("")
    .describe("comma-separated fleets that enroll devices only with a token; * = every fleet"),
  STATECAST_DEVICE_REPORT_RATE: z.coerce
    .number()
    .positive()
    .default(DEFAULT_REPORT_RATE.perSecond)
    .describe("reports per second one device may have applied"),
  STATECAST_DEVICE_REPORT_BURST: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .describe("reports one device may send at once (default: 5 s of its rate)"),
  STATECAST_PUBLIC_OBJECT_FLEETS: z
    .string()
    .default("")
    .describe("comma-separated fleets whose devices may read any object of their fleet"),
  // Target writing spread over replicas (deploy/README.md "Replicas"): every replica the same count.
  STATECAST_TARGET_PARTITIONS: z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .default(1)
    .describe(
      "partitions of the gateway's target writing (by device); each is written by one replica at a time",
    ),
  STATECAST_REPLICA_INDEX: z.coerce
    .number()
    .int()
    .min(0)
    .default(0)
    .describe(
      "this replica's number (0, 1, …): it takes the partitions k with k % replicas = its number at once, others once they have stayed free 10 s",
    ),
  STATECAST_REPLICAS: z.coerce
    .number()
    .int()
    .min(1)
    .default(1)
    .describe(
      "how many gateway replicas run (spreads the partitions; a dead one's are taken over)",
    ),
  // Reads of sc_objects for devices at once; the rest queue (fairly) up to the wait below.
  STATECAST_OBJECT_READS: z.coerce
    .number()
    .int()
    .min(1)
    .default(DEFAULT_OBJECT_READS.limit)
    .describe("reads of sc_objects one gateway runs at once for devices; the rest wait in order"),
  STATECAST_OBJECT_READ_WAIT_MS: z.coerce
    .number()
    .int()
    .min(1)
    .default(DEFAULT_OBJECT_READS.maxWaitMs)
    .describe(
      "ms an object request may wait for a read before the device is answered 'unavailable' (asks again later); keep it under the agent's 5 s request timeout",
    ),
  STATECAST_OBJECT_CACHE_MB: z.coerce
    .number()
    .int()
    .min(0)
    .default(DEFAULT_CHUNK_CACHE_BYTES / MIB)
    .describe(
      "MiB of object chunks one gateway keeps in memory for devices (a wave fetches the same objects: one read of sc_objects serves it); 0 = none kept",
    ),
  // Upgrade aid (SECURITY.md): agents of earlier releases keep a working target watch.
  STATECAST_LEGACY_TARGET_WATCH: z
    .enum(["auto", "on", "off"])
    .default("auto")
    .describe(
      "which hellos of earlier agents get their target watch (any consumer name on their own key): auto = keys that never announced the fixed consumer; on = every hello without the header; off = none",
    ),
});

export interface GatewayConfig extends ServiceConfig {
  /** The gateway's NATS setup directory; undefined = enrollment and revocation are disabled. */
  natsAuthDir: string | undefined;
  /** Where the target signing key is (the gateway's own directory or Secret). */
  targetKeyDir: string;
  /** Lifetime of a signed target (ms); undefined = the default 7 days. */
  targetLifetimeMs?: number;
  /** Silence after which a device is declared offline (ms); undefined = 90 s. */
  offlineAfterMs?: number;
  /** Lifetime of a renewing agent's user JWT (ms); undefined = 24 h. */
  deviceCredentialsLifetimeMs?: number;
  hello: HelloLimitOptions;
  /** Each device's report rate: over it, reports are held and applied later, in order. */
  reportRate: ReportRateOptions;
  /** Fleets whose devices may read any object of the fleet's revisions (default: none). */
  publicObjectFleets: string[];
  /** Metrics from one device more often than this (ms, on average) are dropped. */
  metricsMinIntervalMs: number;
  /** Reads of `sc_objects` at once for devices, and how long a request may wait for one. */
  objectReads: ReadGateOptions;
  /** Bytes of object chunks kept in memory for devices (0: every chunk is read again). */
  objectCacheBytes: number;
  /** Which earlier agents' hellos get their target-watch permissions (`auto` by default). */
  legacyTargetWatch: LegacyTargetWatch;
  /** Target writing's partitions, and which of them this replica takes at once. */
  targetPartitions: { count: number; replica: number; replicas: number };
}

const list = (text: string) =>
  text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0);

export function loadGatewayConfig(env: Environment): GatewayConfig {
  const settings = loadConfig(gatewaySettings, env);
  return {
    ...toServiceConfig(settings),
    natsAuthDir: settings.STATECAST_NATS_AUTH_DIR,
    targetKeyDir: resolve(
      settings.STATECAST_TARGET_KEY_DIR ?? targetKeyDir(settings.STATECAST_DATA_DIR),
    ),
    ...(settings.STATECAST_TARGET_LIFETIME_SECONDS !== undefined
      ? { targetLifetimeMs: settings.STATECAST_TARGET_LIFETIME_SECONDS }
      : {}),
    ...(settings.STATECAST_OFFLINE_AFTER_SECONDS !== undefined
      ? { offlineAfterMs: settings.STATECAST_OFFLINE_AFTER_SECONDS }
      : {}),
    ...(settings.STATECAST_DEVICE_CREDENTIALS_SECONDS !== undefined
      ? { deviceCredentialsLifetimeMs: settings.STATECAST_DEVICE_CREDENTIALS_SECONDS }
      : {}),
    hello: {
      helloRate: settings.STATECAST_HELLO_RATE,
      pendingRate: settings.STATECAST_PENDING_RATE,
      maxPendingPerFleet: settings.STATECAST_MAX_PENDING_DEVICES,
      tokenRequiredFleets: list(settings.STATECAST_TOKEN_REQUIRED_FLEETS),
    },
    reportRate: {
      perSecond: settings.STATECAST_DEVICE_REPORT_RATE,
      ...(settings.STATECAST_DEVICE_REPORT_BURST !== undefined
        ? { burst: settings.STATECAST_DEVICE_REPORT_BURST }
        : {}),
    },
    publicObjectFleets: list(settings.STATECAST_PUBLIC_OBJECT_FLEETS),
    metricsMinIntervalMs: settings.STATECAST_METRICS_MIN_INTERVAL_SECONDS ?? 5_000,
    objectReads: {
      limit: settings.STATECAST_OBJECT_READS,
      maxWaitMs: settings.STATECAST_OBJECT_READ_WAIT_MS,
    },
    objectCacheBytes: settings.STATECAST_OBJECT_CACHE_MB * MIB,
    legacyTargetWatch: settings.STATECAST_LEGACY_TARGET_WATCH,
    targetPartitions: {
      count: settings.STATECAST_TARGET_PARTITIONS,
      replica: settings.STATECAST_REPLICA_INDEX,
      replicas: settings.STATECAST_REPLICAS,
    },
  };
}
