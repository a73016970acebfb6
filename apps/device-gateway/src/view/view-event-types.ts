import { DeviceEvents, EnrollmentEvents, RevisionEvents } from "@statecast/events";

/**
 * The device events that decide enrollment, credentials and object access (`foldDevice` folds
 * them; reports, presence and progress change none of what the gateway decides with).
 */
export const VIEW_DEVICE_EVENTS = [
  DeviceEvents.DeviceEnrolled.type,
  DeviceEvents.DeviceApproved.type,
  DeviceEvents.DeviceRekeyed.type,
  DeviceEvents.DeviceKeyPresented.type,
  DeviceEvents.DeviceCredentialsIssued.type,
  DeviceEvents.DeviceCredentialsRevoked.type,
  DeviceEvents.DeviceTargetWatchBounded.type,
  DeviceEvents.DeviceTagsChanged.type,
  DeviceEvents.DeviceDecommissioned.type,
  DeviceEvents.TargetAssigned.type,
] as const;

/** Every event of an enrollment token's stream (its creation, uses and revocation). */
export const VIEW_TOKEN_EVENTS = [
  EnrollmentEvents.EnrollmentTokenCreated.type,
  EnrollmentEvents.EnrollmentTokenUsed.type,
  EnrollmentEvents.EnrollmentTokenRevoked.type,
] as const;

/** A revision's state digest and objects: what a device targeted with it may read. */
export const VIEW_REVISION_EVENTS = [RevisionEvents.RevisionPosted.type] as const;

export const VIEW_EVENT_TYPES: readonly string[] = [
  ...VIEW_DEVICE_EVENTS,
  ...VIEW_TOKEN_EVENTS,
  ...VIEW_REVISION_EVENTS,
];
