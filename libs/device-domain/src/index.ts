export {
  decideHealth,
  HEALTH_KINDS,
  type HealthKind,
  type HealthReport,
} from "./device-health.js";
export {
  type DevicePlaneState,
  evolveDevicePlane,
  initialDevicePlane,
  MAX_REMEMBERED_BOOTS,
  type Outcome,
  type ReportCursor,
} from "./device-plane.js";
export {
  type DevicePlaneEvent,
  type DropReason,
  decideHeartbeat,
  decideOffline,
  decideReport,
  type ReportVerdict,
} from "./device-report.decider.js";
export {
  type DeviceMessage,
  FINAL,
  type Heartbeat,
  IN_FLIGHT,
  MAX_REPORT_BYTES,
  type ParsedMessage,
  type ProgressReport,
  parseDeviceMessage,
} from "./device-report.js";
export { formatRevision, parseRevision, type RevisionRef, sameRevision } from "./revision-name.js";
