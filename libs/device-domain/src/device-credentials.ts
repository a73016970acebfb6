import { type DeviceState, isDecommissioned, isEnrolled } from "./device.js";

// Which key may act for a device, read off the one device aggregate (device.ts): enrollment (the
// gateway's hello), revocation (the orchestrator) and object access (the gateway) decide with
// these, so they cannot disagree on which key holds credentials (`credentialsKey`).

/** The key's credentials were revoked, or an operator re-keyed the device away from it. */
export const isRevokedKey = (device: DeviceState, publicKey: string) =>
  device.revokedKeys.includes(publicKey);

/** The key's agent said it watches through its one fixed consumer (`DeviceTargetWatchBounded`). */
export const isWatchBounded = (device: DeviceState, publicKey: string) =>
  device.watchBoundedKeys.includes(publicKey);

/**
 * The key that may act for the device (sign its object-access tokens): the one holding
 * credentials, else its enrolled key unless revoked; none before it enrolled or once
 * decommissioned.
 */
export function actingKey(device: DeviceState): string | null {
  if (!isEnrolled(device) || isDecommissioned(device)) return null;
  if (device.credentialsKey !== null) return device.credentialsKey;
  const key = device.publicKey;
  return key === null || isRevokedKey(device, key) ? null : key;
}
