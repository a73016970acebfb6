import {
  adminTokenSetting,
  type Environment,
  loadConfig,
  type ServiceConfig,
  serviceSettings,
  toServiceConfig,
} from "@statecast/platform";

export const ORCHESTRATOR_DEFAULT_PORT = 8080;

/** The orchestrator's settings by environment variable: add new ones here. */
export const orchestratorSettings = serviceSettings(ORCHESTRATOR_DEFAULT_PORT).extend({
  // The bootstrap admin credential; the launcher generates one when the operator gives none.
  STATECAST_ADMIN_TOKEN: adminTokenSetting,
});

export interface OrchestratorConfig extends ServiceConfig {
  adminToken: string;
}

export function loadOrchestratorConfig(env: Environment): OrchestratorConfig {
  const settings = loadConfig(orchestratorSettings, env);
  return { ...toServiceConfig(settings), adminToken: settings.STATECAST_ADMIN_TOKEN };
}
