import {
  type Environment,
  loadConfig,
  type ServiceConfig,
  serviceSettings,
  toServiceConfig,
} from "@statecast/platform";

export const GATEWAY_DEFAULT_PORT = 8081;

/** The gateway's settings by environment variable: add new ones here. */
export const gatewaySettings = serviceSettings(GATEWAY_DEFAULT_PORT);

export type GatewayConfig = ServiceConfig;

export function loadGatewayConfig(env: Environment): GatewayConfig {
  return toServiceConfig(loadConfig(gatewaySettings, env));
}
