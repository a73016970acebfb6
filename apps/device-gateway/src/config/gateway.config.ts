import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  type Environment,
  loadConfig,
  type ServiceConfig,
  serviceSettings,
  toServiceConfig,
} from "@statecast/platform";
import { z } from "zod";

export const GATEWAY_DEFAULT_PORT = 8081;

/** A directory written by `createOperatorSetup` (@statecast/nats-auth): it holds `operator.jwt`. */
const natsAuthDirSetting = z
  .string()
  .trim()
  .min(1)
  .refine((dir) => existsSync(join(dir, "operator.jwt")), {
    message: "expected a directory holding a Statecast NATS operator setup (operator.jwt, seeds)",
  })
  .describe("the NATS operator setup directory (see @statecast/nats-auth)");

/** The gateway's settings by environment variable: add new ones here. */
export const gatewaySettings = serviceSettings(GATEWAY_DEFAULT_PORT).extend({
  // Enrollment and revocation sign with the operator setup's keys; unset = both disabled.
  STATECAST_NATS_AUTH_DIR: natsAuthDirSetting.optional(),
});

export interface GatewayConfig extends ServiceConfig {
  /** The operator setup directory; undefined = enrollment and revocation are disabled. */
  natsAuthDir: string | undefined;
}

export function loadGatewayConfig(env: Environment): GatewayConfig {
  const settings = loadConfig(gatewaySettings, env);
  return { ...toServiceConfig(settings), natsAuthDir: settings.STATECAST_NATS_AUTH_DIR };
}
