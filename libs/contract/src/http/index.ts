// The operator API's HTTP contracts: one zod schema per request and response, from which the
// orchestrator validates and documents (OpenAPI) and the CLI takes its client types. Classic zod:
// not for the agent's bundle (the device plane's contract is the package's root export).

export {
  type DeviceIdParams,
  type DeviceLogs,
  type DeviceLogsQuery,
  deviceIdParams,
  deviceLogs,
  deviceLogsQuery,
  type RevokeCredentialsRequest,
  type RevokedCredentials,
  revokeCredentialsRequest,
  revokedCredentials,
} from "./devices.js";
export {
  type CreatedEnrollmentToken,
  type CreateEnrollmentTokenRequest,
  createdEnrollmentToken,
  createEnrollmentTokenRequest,
  type EnrollmentTokenParams,
  type EnrollmentTokenView,
  enrollmentTokenParams,
  enrollmentTokenView,
  type RevokeEnrollmentTokenQuery,
  revokeEnrollmentTokenQuery,
} from "./enrollment-tokens.js";
export {
  type EventFilterQuery,
  type EventPageQuery,
  eventFilterQuery,
  eventPageQuery,
  queryInt,
} from "./events.js";
export { type FleetParams, fleetName, fleetParams } from "./fleet.js";
export { isoInstant } from "./instant.js";
export {
  type MaintenancePolicyRequest,
  type MaintenancePolicyView,
  maintenancePolicyRequest,
  maintenancePolicyView,
} from "./maintenance.js";
export {
  type MissingObjectsRequest,
  type MissingObjectsResponse,
  missingObjectsRequest,
  missingObjectsResponse,
  type ObjectGcRequest,
  type ObjectGcResult,
  type ObjectIdParams,
  type ObjectStats,
  type ObjectStored,
  objectGcRequest,
  objectGcResult,
  objectIdParams,
  objectStats,
  objectStored,
  SHA256,
} from "./objects.js";
export {
  type PostRevisionRequest,
  postRevisionRequest,
  type RevisionDiffParams,
  type RevisionListQuery,
  type RevisionParams,
  type RevisionView,
  type RevisionWithState,
  revisionDiffParams,
  revisionListQuery,
  revisionParams,
  revisionView,
  revisionWithState,
  signaturesView,
} from "./revisions.js";
export {
  type CreatedToken,
  type CreateTokenRequest,
  createdToken,
  createTokenRequest,
  type RevokeTokenRequest,
  ROLES,
  type Role,
  revokeTokenRequest,
  type TokenIdParams,
  type TokenView,
  tokenIdParams,
  tokenView,
} from "./tokens.js";
export {
  type TrustPolicyRequest,
  type TrustPolicyView,
  trustPolicyRequest,
  trustPolicyView,
} from "./trust.js";
