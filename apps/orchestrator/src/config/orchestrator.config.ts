import type { PartitionOptions } from "@statecast/events";
import {
  adminTokenSetting,
  type Environment,
  loadConfig,
  type ServiceConfig,
  serviceSettings,
  toServiceConfig,
  wholeNumberSetting,
} from "@statecast/platform";
import { z } from "zod";
import { type AuditLimits, DEFAULT_AUDIT_LIMITS } from "../audit/audit-limits.js";
import { DEFAULT_OBJECT_GC, type ObjectGcOptions } from "../objects/object-gc.js";

// Upload limit for one object; 8 GiB by default, above any real rootfs image.
const maxObjectBytesSetting = z
  .string()
  .trim()
  .refine((v) => /^\d{1,16}$/.test(v) && Number(v) >= 1, {
    message: "expected a positive number of bytes",
  })
  .transform(Number)
  .describe("a positive number of bytes");

const countSetting = (max: number) => wholeNumberSetting(1, max, "a whole number");
/** Seconds from `min` to a year. */
const secondsSetting = (min: number) => wholeNumberSetting(min, 31_536_000, "seconds");

export const ORCHESTRATOR_DEFAULT_PORT = 8080;

/** The orchestrator's settings by environment variable: add new ones here. */
export const orchestratorSettings = serviceSettings(ORCHESTRATOR_DEFAULT_PORT).extend({
  // The bootstrap admin credential; the launcher generates one when the operator gives none.
  STATECAST_ADMIN_TOKEN: adminTokenSetting,
  STATECAST_MAX_OBJECT_BYTES: maxObjectBytesSetting.default(8 * 1024 ** 3),
  // Live log follows (SSE): how many one API token may hold open, and for how long each.
  STATECAST_LOGS_FOLLOW_MAX_PER_TOKEN: countSetting(1000).default(4),
  STATECAST_LOGS_FOLLOW_MAX_SECONDS: secondsSetting(1).default(3600),
  STATECAST_AUDIT_QUERIES_PER_TOKEN: countSetting(1000).default(
    DEFAULT_AUDIT_LIMITS.queriesPerToken,
  ),
  STATECAST_AUDIT_TAILS_PER_TOKEN: countSetting(1000).default(DEFAULT_AUDIT_LIMITS.tailsPerToken),
  STATECAST_AUDIT_EXPORT_MAX_ROWS: countSetting(100_000_000).default(
    DEFAULT_AUDIT_LIMITS.exportMaxRows,
  ),
  STATECAST_AUDIT_TAIL_MAX_SECONDS: countSetting(86_400).default(
    DEFAULT_AUDIT_LIMITS.tailMaxSeconds,
  ),
  STATECAST_OBJECT_GC_GRACE_SECONDS: secondsSetting(60).default(DEFAULT_OBJECT_GC.graceSeconds),
  STATECAST_OBJECT_GC_INTERVAL_SECONDS: secondsSetting(0).default(
    DEFAULT_OBJECT_GC.intervalSeconds,
  ),
  // Scale-out (issue 16): the rollout process manager and the device registry split into this
  // many partitions; each replica, numbered from 0, prefers its own share. 1 = one active replica.
  STATECAST_PROCESSOR_PARTITIONS: countSetting(64).default(1),
  STATECAST_REPLICA_INDEX: wholeNumberSetting(0, 63, "a replica index").default(0),
  // How many replicas run (the same names as the gateway's); unset: as many as partitions.
  STATECAST_REPLICAS: countSetting(64).optional(),
});

export interface OrchestratorConfig extends ServiceConfig {
  adminToken: string;
  /** Largest object `PUT /v1/objects/:sha256` accepts (413 above it). */
  maxObjectBytes: number;
  /** Live log follows one API token may hold open (default 4). */
  logsFollowMaxPerToken: number;
  /** How long one live log follow lasts at most (default 1 h). */
  logsFollowMaxMs: number;
  /** Per-token bounds of the audit API (429 beyond them), export and live-tail caps. */
  audit: AuditLimits;
  /** Collection of objects no revision references (grace period, periodic pass; 0 = off). */
  objectGc: ObjectGcOptions;
  /** How the partitioned processors split between replicas, and which share this one prefers. */
  processorPartitions: PartitionOptions;
}

export function loadOrchestratorConfig(env: Environment): OrchestratorConfig {
  const settings = loadConfig(orchestratorSettings, env);
  return {
    ...toServiceConfig(settings),
    adminToken: settings.STATECAST_ADMIN_TOKEN,
    maxObjectBytes: settings.STATECAST_MAX_OBJECT_BYTES,
    logsFollowMaxPerToken: settings.STATECAST_LOGS_FOLLOW_MAX_PER_TOKEN,
    logsFollowMaxMs: settings.STATECAST_LOGS_FOLLOW_MAX_SECONDS * 1000,
    audit: {
      queriesPerToken: settings.STATECAST_AUDIT_QUERIES_PER_TOKEN,
      tailsPerToken: settings.STATECAST_AUDIT_TAILS_PER_TOKEN,
      exportMaxRows: settings.STATECAST_AUDIT_EXPORT_MAX_ROWS,
      tailMaxSeconds: settings.STATECAST_AUDIT_TAIL_MAX_SECONDS,
    },
    objectGc: {
      graceSeconds: settings.STATECAST_OBJECT_GC_GRACE_SECONDS,
      intervalSeconds: settings.STATECAST_OBJECT_GC_INTERVAL_SECONDS,
    },
    processorPartitions: {
      count: settings.STATECAST_PROCESSOR_PARTITIONS,
      replicaIndex: settings.STATECAST_REPLICA_INDEX,
      ...(settings.STATECAST_REPLICAS ? { replicas: settings.STATECAST_REPLICAS } : {}),
    },
  };
}
