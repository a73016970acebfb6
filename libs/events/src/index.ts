export type { StreamAppend } from "./append-many.js";
export * as CatalogSchemas from "./catalog/common.js";
export * as DeviceEvents from "./catalog/device.js";
export { deviceCatalog } from "./catalog/device.js";
export * as DeviceBundleEvents from "./catalog/device-bundle.js";
export * as DeviceHealthEvents from "./catalog/device-health.js";
export * as EnrollmentEvents from "./catalog/enrollment.js";
export { enrollmentCatalog, enrollmentTokenStreamId } from "./catalog/enrollment.js";
export * as RevisionEvents from "./catalog/revision.js";
export { revisionCatalog } from "./catalog/revision.js";
export * as RolloutEvents from "./catalog/rollout.js";
export { rolloutCatalog } from "./catalog/rollout.js";
export type { Actor, EventMetadata, NewEvent, RecordedEvent } from "./envelope.js";
export {
  ConcurrencyError,
  type ErrorCode,
  ForbiddenError,
  IllegalStateError,
  NotFoundError,
  StatecastError,
  TimedOutError,
  TooBusyError,
  UnauthorizedError,
  UnprocessableError,
  ValidationError,
  type ValidationIssue,
} from "./errors.js";
export {
  type CommandOutcome,
  type HandleCommandOptions,
  handleCommand,
  handleMultiStreamCommand,
  type MultiStreamDecision,
  type MultiStreamOutcome,
  type StreamEvents,
} from "./handle-command.js";
export {
  MIGRATIONS_TABLE,
  type Migration,
  migrate,
  migrationDataSourceOptions,
  migrationName,
  runMigrations,
  typeormMigrations,
} from "./migrate.js";
export {
  type Partition,
  type PartitionOptions,
  partitionName,
  partitionNames,
  partitionOf,
} from "./partitions.js";
export { poolOf } from "./pool-of.js";
export { comparePositions, type LogPosition, START } from "./positions.js";
export {
  type AppendManyResult,
  type AppendOptions,
  type AppendResult,
  type ExpectedVersion,
  PostgresEventStore,
  type Queryable,
  type ReadAllOptions,
  type ReadAllResult,
  type ReadStreamOptions,
  type ReadStreamResult,
} from "./postgres-event-store.js";
export {
  type PartitionView,
  type ProcessorOptions,
  type RunningProcessor,
  runProcessor,
} from "./processor.js";
export {
  createRegistry,
  defineEvent,
  type EventCatalog,
  type EventData,
  type EventDefinition,
  type EventOf,
  type EventRegistry,
  isEvent,
} from "./registry.js";
export {
  DEFAULT_EVENTS_STREAM_RETENTION,
  type EventsStreamRetention,
  ensureEventsStream,
  type RelayOptions,
  startRelay,
} from "./relay.js";
export {
  EVENTS_STREAM,
  EVENTS_SUBJECTS,
  eventPayload,
  eventSubject,
  parseEventPayload,
  subjectToken,
} from "./relay-subject.js";
export {
  backoffMs,
  DEFAULT_RETRY_POLICY,
  isRetryable,
  RetriesExhaustedError,
  type RetryPolicy,
  withRetry,
} from "./retry-policy.js";
export { EVENTS_CHANNEL, eventStoreMigrations } from "./schema.js";
export type { StreamHead } from "./stream-head.js";
export {
  deviceStreamId,
  FLEET_NAME,
  FLEET_NAME_MESSAGE,
  revisionStreamId,
  rolloutStreamId,
  type StreamType,
  streamKeyOf,
  streamTypeOf,
} from "./stream-id.js";
export { ensureStreamWithRetention, type StreamRetention } from "./stream-retention.js";
