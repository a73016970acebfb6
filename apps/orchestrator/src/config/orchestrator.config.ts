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

/** The orchestrator's settings by environment variable: add new ones here. */
export const orchestratorSettings = serviceSettings(ORCHESTRATOR_DEFAULT_PORT).extend({
  // The bootstrap admin credential; the launcher generates one when the operator gives none.
  STATECAST_ADMIN_TOKEN: adminTokenSetting,
  STATECAST_MAX_OBJECT_BYTES: maxObjectBytesSetting.default(8 * 1024 ** 3),
});

export interface OrchestratorConfig extends ServiceConfig {
  adminToken: string;
  /** Largest object `PUT /v1/objects/:sha256` accepts (413 above it). */
  maxObjectBytes: number;
}

export function loadOrchestratorConfig(env: Environment): OrchestratorConfig {
  const settings = loadConfig(orchestratorSettings, env);
  return {
    ...toServiceConfig(settings),
    adminToken: settings.STATECAST_ADMIN_TOKEN,
    maxObjectBytes: settings.STATECAST_MAX_OBJECT_BYTES,
  };
}
