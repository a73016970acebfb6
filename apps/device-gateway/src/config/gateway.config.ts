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
import { DEFAULT_HELLO_LIMITS, type HelloLimitOptions } from "../enrollment/hello-limits.js";

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
  STATECAST_PUBLIC_OBJECT_FLEETS: z
    .string()
    .default("")
    .describe("comma-separated fleets whose devices may read any object of their fleet"),
});

export interface GatewayConfig extends ServiceConfig {
  /** The operator setup directory; undefined = enrollment and revocation are disabled. */
  natsAuthDir: string | undefined;
  hello: HelloLimitOptions;
  /** Fleets whose devices may read any object of the fleet's revisions (default: none). */
  publicObjectFleets: string[];
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
    hello: {
      helloRate: settings.STATECAST_HELLO_RATE,
      pendingRate: settings.STATECAST_PENDING_RATE,
      maxPendingPerFleet: settings.STATECAST_MAX_PENDING_DEVICES,
      tokenRequiredFleets: list(settings.STATECAST_TOKEN_REQUIRED_FLEETS),
    },
    publicObjectFleets: list(settings.STATECAST_PUBLIC_OBJECT_FLEETS),
  };
}
