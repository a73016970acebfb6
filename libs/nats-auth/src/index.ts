export {
  LEGACY_OBJECT_REFUSAL,
  LEGACY_OBJECT_REFUSAL_SUBJECT,
  LEGACY_OBJECT_SERVICES,
  type Revocations,
} from "./claims.js";
export {
  credsConnectionOptions,
  deviceConnectionOptions,
  enrollmentConnectionOptions,
  readCaFile,
  tlsConnectionOptions,
} from "./connection-options.js";
export { type DeviceBuckets, openDeviceBuckets } from "./device-buckets.js";
export { type DevicePermissionOptions, devicePermissions } from "./device-permissions.js";
export {
  enrollmentSecretTokenId,
  generateEnrollmentSecret,
  hashEnrollmentSecret,
} from "./enrollment-token.js";
export { type EnrollmentCredentials, issueEnrollmentUser } from "./enrollment-user.js";
export {
  GATEWAY_FILES,
  type GatewaySetup,
  loadGatewaySetup,
  writeGatewaySetup,
} from "./gateway-setup.js";
export {
  assertDeviceId,
  DEVICE_JS_API_PREFIX,
  DEVICES_ACCOUNT_NAME,
  deviceInboxPrefix,
  OBJECTS_BUCKET,
  OBJECTS_STREAM,
  SERVICES_ACCOUNT_NAME,
  TARGETS_BUCKET,
  TARGETS_STREAM,
} from "./names.js";
export {
  createOperatorSetup,
  deviceRevocations,
  ensureOperatorSetup,
  type Identity,
  legacyObjectRead,
  loadOperatorSetup,
  type OperatorSetup,
  type ServerIdentities,
  setLegacyObjectRead,
  updateDeviceRevocations,
} from "./operator-setup.js";
export { pushAccountJwt, type RevokeOptions, revokeDevice } from "./revocation.js";
export {
  type ClusterOptions,
  type LeafOptions,
  renderServerConfig,
  type ServerConfigOptions,
  type ServerTlsOptions,
} from "./server-config.js";
export { type ServiceRole, servicePermissions } from "./service-permissions.js";
export { followOwnTarget, TargetFollow, type TargetFollowOptions } from "./target-follow.js";
export {
  type TargetEntry,
  TargetWatch,
  type TargetWatchOptions,
  watchOwnTarget,
} from "./target-watch.js";
export {
  credsText,
  type DeviceCredentials,
  issueClaimsUpdateUser,
  issueDeviceUser,
  issueServiceUser,
  issueSiteCredentials,
  issueSystemUser,
  type SiteCredentials,
} from "./users.js";
