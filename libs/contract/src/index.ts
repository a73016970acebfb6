export {
  assertDeviceId,
  DEVICE_ID,
  DEVICE_ID_RULE,
  deviceIdSchema,
  isDeviceId,
} from "./device-id.js";
export {
  ConcurrencyError,
  type ErrorCode,
  ForbiddenError,
  IllegalStateError,
  NotFoundError,
  StatecastError,
  UnauthorizedError,
  UnprocessableError,
  ValidationError,
  type ValidationIssue,
} from "./errors.js";
export {
  HEALTH_KINDS,
  type HealthKind,
  type HealthReport,
  type HealthReportWire,
  healthReportSchema,
  toHealthReport,
} from "./health-report.js";
export {
  firstIssue,
  type Hello,
  type HelloReply,
  helloReplySchema,
  helloSchema,
  RENEWS_CREDENTIALS_HEADER,
} from "./hello.js";
export { KEY_FINGERPRINT, KEY_FINGERPRINT_LENGTH, keyFingerprint } from "./key-fingerprint.js";
export {
  FLEET_NAME,
  FLEET_NAME_MESSAGE,
  formatRevision,
  isFleetRevision,
  parseRevision,
  parseRevisionInput,
  REVISION_TEXT,
  type RevisionRef,
  sameRevision,
} from "./revision-ref.js";
export {
  acceptedFast,
  type DeviceMessage,
  type DownloadCounters,
  FINAL,
  type Heartbeat,
  IN_FLIGHT,
  MAX_REPORT_BYTES,
  type ParsedMessage,
  type ProgressReport,
  parseDeviceJsonBySchema,
  parseDeviceMessage,
  refusalOf,
  reportMessageId,
  type StatusReport,
  type UpdateStatus,
} from "./status-report.js";
export {
  DEVICE_INBOX_ROOT,
  DEVICE_JS_API_PREFIX,
  deviceIdOfSubject,
  deviceInboxPrefix,
  enrollmentInboxPrefix,
  HELLO_SUBJECTS,
  helloSubject,
  OBJECTS_BUCKET,
  OBJECTS_STREAM,
  STATUS_SUBJECTS,
  statusSubject,
  TARGETS_BUCKET,
  TARGETS_STREAM,
} from "./subjects.js";
export {
  type KeyInput,
  signTarget,
  type TargetEnvelope,
  type TargetSignature,
  type TargetVerdict,
  targetEnvelopeProblem,
  targetEnvelopeSchema,
  targetSigningBytes,
  type UnsignedTarget,
  verifyTarget,
} from "./target-envelope.js";
export { contextFromTraceparent, TRACEPARENT, traceparentOf } from "./trace-context.js";
