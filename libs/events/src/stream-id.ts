import { ValidationError } from "./errors.js";

export type StreamType = "device" | "revision" | "rollout" | (string & {});

// A key part must be non-empty and free of the separator; everything else is the caller's id.
function keyPart(kind: string, value: string): string {
  if (value.length === 0) throw new ValidationError(`${kind} must not be empty`);
  if (value.includes(":"))
    throw new ValidationError(`${kind} must not contain ':' (got "${value}")`);
  return value;
}

/** `device:<id>` */
export function deviceStreamId(deviceId: string): string {
  return `device:${keyPart("device id", deviceId)}`;
}

/** `revision:<fleet>:<number>` */
export function revisionStreamId(fleet: string, number: number): string {
  if (!Number.isSafeInteger(number) || number < 0) {
    throw new ValidationError(`revision number must be a non-negative integer (got ${number})`);
  }
  return `revision:${keyPart("fleet", fleet)}:${number}`;
}

/** `rollout:<id>` */
export function rolloutStreamId(rolloutId: string): string {
  return `rollout:${keyPart("rollout id", rolloutId)}`;
}

function split(streamId: string): [string, string] {
  const at = streamId.indexOf(":");
  if (at <= 0 || at === streamId.length - 1) {
    throw new ValidationError(`stream id "${streamId}" is not of the form <type>:<key>`);
  }
  return [streamId.slice(0, at), streamId.slice(at + 1)];
}

/** The aggregate type of a stream id: `device:abc` → `device`. */
export function streamTypeOf(streamId: string): StreamType {
  return split(streamId)[0];
}

/** Everything after the type: `revision:main:7` → `main:7`. */
export function streamKeyOf(streamId: string): string {
  return split(streamId)[1];
}

/**
 * What a fleet name may be, everywhere one enters (the operator API's paths and bodies, a device's
 * hello): 1-128 letters, digits, `.`, `_`, `-`, starting with a letter or digit.
 */
export const FLEET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const FLEET_NAME_MESSAGE = "fleet must be 1-128 letters, digits, '.', '_' or '-'";
