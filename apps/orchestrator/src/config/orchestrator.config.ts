import {
  adminTokenSetting,
  type Environment,
  loadConfig,
  type ServiceConfig,
  serviceSettings,
  toServiceConfig,
} from "@statecast/platform";
import { z } from "zod";

// Upload limit for one object; 8 GiB by default, above any real rootfs image.
const maxObjectBytesSetting = z
  .string()
  .trim()
  .refine((v) => /^\d{1,16}$/.test(v) && Number(v) >= 1, {
    message: "expected a positive number of bytes",
  })
  .transform(Number)
  .describe("a positive number of bytes");

export const ORCHESTRATOR_DEFAULT_PORT = 8080;

const positiveInt = (what: string) =>
  z
    .string()
    .trim()
    .refine((v) => /^\d{1,9}$/.test(v) && Number(v) >= 1, { message: `expected ${what} ≥ 1` })
    .transform(Number);

/** The orchestrator's settings by environment variable: add new ones here. */
export const orchestratorSettings = serviceSettings(ORCHESTRATOR_DEFAULT_PORT).extend({
  // The bootstrap admin credential; the launcher generates one when the operator gives none.
  STATECAST_ADMIN_TOKEN: adminTokenSetting,
  STATECAST_MAX_OBJECT_BYTES: maxObjectBytesSetting.default(8 * 1024 ** 3),
  // Live log follows (SSE): how many one API token may hold open, and for how long each.
  STATECAST_LOGS_FOLLOW_MAX_PER_TOKEN: positiveInt("a whole number").optional(),
  STATECAST_LOGS_FOLLOW_MAX_SECONDS: positiveInt("a whole number of seconds").optional(),
});

export interface OrchestratorConfig extends ServiceConfig {
  adminToken: string;
  /** Largest object `PUT /v1/objects/:sha256` accepts (413 above it). */
  maxObjectBytes: number;
  /** Live log follows one API token may hold open (default 4). */
  logsFollowMaxPerToken: number;
  /** How long one live log follow lasts at most (default 1 h). */
  logsFollowMaxMs: number;
}

export function loadOrchestratorConfig(env: Environment): OrchestratorConfig {
  const settings = loadConfig(orchestratorSettings, env);
  return {
    ...toServiceConfig(settings),
    adminToken: settings.STATECAST_ADMIN_TOKEN,
    maxObjectBytes: settings.STATECAST_MAX_OBJECT_BYTES,
    logsFollowMaxPerToken: settings.STATECAST_LOGS_FOLLOW_MAX_PER_TOKEN ?? 4,
    logsFollowMaxMs: (settings.STATECAST_LOGS_FOLLOW_MAX_SECONDS ?? 3600) * 1000,
  };
}
