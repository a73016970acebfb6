import type { DynamicModule } from "@nestjs/common";
import { ConfigError } from "../config/load-config.js";
import type { ServiceConfig } from "../config/service-config.js";
import type { TelemetryOptions } from "../telemetry/telemetry.js";
import { type BootstrapOptions, bootstrapApp } from "./bootstrap-app.js";

export interface ServiceEntry<Config extends ServiceConfig> {
  name: string;
  /** Reads and validates the service's settings; throws `ConfigError` naming each bad one. */
  loadConfig: () => Config;
  module: (config: Config) => DynamicModule;
  telemetry?: TelemetryOptions;
  /** App-level setup before listening, passed to bootstrapApp. */
  configure?: BootstrapOptions["configure"];
}

/**
 * A service's `main`: config, boot, one "listening" line on stdout, and on SIGINT/SIGTERM a clean
 * close and exit 0. A bad setting or a failed start prints one clear message and exits 1.
 */
export async function runService<Config extends ServiceConfig>(
  entry: ServiceEntry<Config>,
): Promise<void> {
  let config: Config;
  try {
    config = entry.loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${entry.name}: ${err.message}\n`);
    process.exit(1);
  }
  const service = await bootstrapApp(entry.module(config), {
    name: entry.name,
    config,
    ...(entry.telemetry ? { telemetry: entry.telemetry } : {}),
    ...(entry.configure ? { configure: entry.configure } : {}),
  }).catch((err: unknown) => {
    process.stderr.write(`${entry.name}: failed to start: ${(err as Error).message}\n`);
    process.exit(1);
  });
  process.stdout.write(`${entry.name} listening on ${service.url}\n`);
  const stop = (signal: NodeJS.Signals) => {
    process.stderr.write(`${entry.name}: ${signal} received, shutting down\n`);
    service.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`${entry.name}: unclean shutdown: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
