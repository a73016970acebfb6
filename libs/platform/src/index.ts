import "reflect-metadata";

export {
  type BootstrapOptions,
  bootstrapApp,
  type RunningService,
} from "./bootstrap/bootstrap-app.js";
export { PlatformModule, type PlatformModuleOptions } from "./bootstrap/platform.module.js";
export { runService, type ServiceEntry } from "./bootstrap/run-service.js";
export * from "./config/index.js";
export { DatabaseModule, type DatabaseModuleOptions } from "./database/database.module.js";
export { ErrorFilter } from "./errors/error.filter.js";
export { type ErrorBody, type ErrorResponse, toErrorResponse } from "./errors/error-response.js";
export {
  type ConsumerLease,
  type ConsumerLeases,
  PostgresConsumerLeases,
  type PostgresLeaseOptions,
} from "./events-transport/consumer-lease.js";
export { partitionName } from "./events-transport/durable-consumer.js";
export {
  type JetStreamEventPattern,
  OnStreamEvent,
  OnStreamEvents,
} from "./events-transport/event-pattern.js";
export {
  EventsTransportModule,
  type EventsTransportOptions,
} from "./events-transport/events-transport.module.js";
export { JetStreamEventContext } from "./events-transport/jetstream-event.context.js";
export {
  type DurableConsumerSpec,
  type JetStreamEventsOptions,
  JetStreamEventsServer,
} from "./events-transport/jetstream-events.server.js";
export { RpcErrorsFilter } from "./events-transport/rpc-errors.filter.js";
export {
  errorReply,
  requestService,
  type ServiceReply,
} from "./events-transport/service-request.js";
export { HealthModule } from "./health/health.module.js";
export { NatsHealthIndicator } from "./health/nats.health.js";
export { PostgresHealthIndicator } from "./health/postgres.health.js";
export { checkJsonShape, JSON_SHAPE_LIMITS, type JsonShapeLimits } from "./limits/json-shape.js";
export { KeyedRateLimiter, TokenBucket } from "./limits/token-bucket.js";
export {
  createLogger,
  createPinoLogger,
  type LogFormat,
  logFormat,
  nestLogLevels,
  PinoNestLogger,
  prettyLineFormatter,
} from "./logging/logger.js";
export * from "./metrics/index.js";
export { NatsModule, type NatsModuleOptions } from "./nats/nats.module.js";
export { traceHttpRequests } from "./telemetry/http-tracing.js";
export {
  startTelemetry,
  type Telemetry,
  type TelemetryConfig,
  type TelemetryOptions,
} from "./telemetry/telemetry.js";
export {
  contextFromTraceparent,
  continueTrace,
  TRACEPARENT,
  traceparentOf,
} from "./telemetry/trace-context.js";
export {
  JETSTREAM,
  MICROSERVICE_STRATEGY,
  NATS_CONNECTION,
  SERVICE_CONFIG,
} from "./tokens.js";
