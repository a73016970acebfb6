import type { DynamicModule, INestApplication, Type } from "@nestjs/common";
import { ModuleRef, NestFactory } from "@nestjs/core";
import type { CustomTransportStrategy } from "@nestjs/microservices";
import type { ServiceConfig } from "../config/service-config.js";
import { ErrorFilter } from "../errors/error.filter.js";
import { RpcErrorsFilter } from "../events-transport/rpc-errors.filter.js";
import { refuseControlCharacters } from "../limits/request-text.js";
import { createLogger } from "../logging/logger.js";
import { traceHttpRequests } from "../telemetry/http-tracing.js";
import { startTelemetry, type TelemetryOptions } from "../telemetry/telemetry.js";
import { MICROSERVICE_STRATEGY } from "../tokens.js";

export interface BootstrapOptions {
  name: string;
  config: ServiceConfig;
  telemetry?: TelemetryOptions;
  /** App-level setup before listening (e.g. the OpenAPI document routes). */
  configure?: (app: INestApplication) => void | Promise<void>;
}

export interface RunningService {
  readonly app: INestApplication;
  /** Where the HTTP API listens, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  /** Runs the shutdown hooks (pool ended, NATS drained), then flushes telemetry. */
  close(): Promise<void>;
}

/** Creates the Nest app with JSON logs, the error filter and telemetry, and starts listening. */
export async function bootstrapApp(
  module: Type | DynamicModule,
  options: BootstrapOptions,
): Promise<RunningService> {
  const { name, config } = options;
  const telemetry = await startTelemetry(name, config, options.telemetry);
  const logger = createLogger(name, config.logLevel);
  let app: INestApplication | undefined;
  try {
    app = await NestFactory.create(module, { logger, abortOnError: false });
    app.useGlobalFilters(new ErrorFilter());
    app.use(refuseControlCharacters);
    app.use(traceHttpRequests(name));
    await options.configure?.(app);
    const strategy = microserviceStrategy(app);
    if (strategy) {
      app.connectMicroservice({ strategy }).useGlobalFilters(new RpcErrorsFilter());
      await app.startAllMicroservices();
    }
    await app.listen(config.httpPort, config.httpHost);
  } catch (err) {
    await app?.close().catch(() => {});
    await telemetry.shutdown();
    throw err;
  }
  const running = app;
  const url = `http://${urlHost(config.httpHost)}:${config.httpPort}`;
  let closing: Promise<void> | undefined;
  return {
    app: running,
    url,
    close: () => {
      closing ??= running.close().finally(() => telemetry.shutdown());
      return closing;
    },
  };
}

/**
 * The strategy a module provided under MICROSERVICE_STRATEGY, if any. Looked up through the
 * ModuleRef: the application's own `get` logs a missing provider as an error before it throws.
 */
function microserviceStrategy(app: INestApplication): CustomTransportStrategy | undefined {
  try {
    return app
      .get(ModuleRef)
      .get<CustomTransportStrategy>(MICROSERVICE_STRATEGY, { strict: false });
  } catch {
    return undefined;
  }
}

function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}
