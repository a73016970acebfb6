export {
  type Approval,
  type AssignedTarget,
  type DeviceState,
  type DeviceStreamEvent,
  evolveDevice,
  foldDevice,
  initialDevice,
  isDecommissioned,
  isEnrolled,
  MAX_REMEMBERED_BOOTS,
  type Outcome,
  type ReportCursor,
  type TargetedRevision,
} from "./device.js";
export { actingKey, isRevokedKey, isWatchBounded } from "./device-credentials.js";
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
} from "./device-plane.js";
export {
  type DevicePlaneEvent,
  type DropReason,
  decideHeartbeat,
  decideOffline,
  decideReport,
  type ReportCursorData,
  type ReportVerdict,
} from "./device-report.decider.js";
export {
  type DeviceTransfer,
  foldTransfer,
  noTransfer,
  type TransferBytes,
} from "./device-transfer.js";
export {
  type EnrollmentToken,
  enrollmentTokenRefusal,
  foldEnrollmentToken,
} from "./enrollment-token.js";
export { gapBefore, gapSeqs, type ReportGap } from "./report-gap.js";
