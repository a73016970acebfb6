import { fromPublic } from "@nats-io/nkeys";
import { UnauthorizedError } from "@statecast/events";

/** Longest validity a device may give its own token: a leaked one is useless soon. */
export const MAX_TOKEN_LIFETIME_S = 15 * 60;

export interface DeviceTokenClaims {
  sub: string;
  /** Unix seconds. */
  exp: number;
}

const b64url = (bytes: Uint8Array | string) => Buffer.from(bytes).toString("base64url");

/** Splits `<b64url claims>.<b64url Ed25519 signature by the device nkey>` and checks its shape. */
export function parseDeviceToken(token: string): {
  claims: DeviceTokenClaims;
  signed: string;
  signature: Buffer;
} {
  const [payload, signature, extra] = token.split(".");
  if (!payload || !signature || extra !== undefined || token.length > 2048)
    throw new UnauthorizedError("device token is not <claims>.<signature>");
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    throw new UnauthorizedError("device token claims are not base64url JSON");
  }
  const c = claims as Partial<DeviceTokenClaims>;
  if (typeof c.sub !== "string" || !Number.isSafeInteger(c.exp))
    throw new UnauthorizedError("device token claims need sub and exp");
  return {
    claims: { sub: c.sub, exp: c.exp as number },
    signed: payload,
    signature: Buffer.from(signature, "base64url"),
  };
}

/** Checks the token against the device's enrolled public nkey and the clock. */
export function verifyDeviceToken(
  token: string,
  publicKey: string,
  deviceId: string,
  nowMs: number,
): void {
  const { claims, signed, signature } = parseDeviceToken(token);
  if (claims.sub !== deviceId) throw new UnauthorizedError("device token names another device");
  const now = Math.floor(nowMs / 1000);
  if (claims.exp <= now) throw new UnauthorizedError("device token expired");
  if (claims.exp > now + MAX_TOKEN_LIFETIME_S)
    throw new UnauthorizedError(`device token lives longer than ${MAX_TOKEN_LIFETIME_S} s`);
  let valid = false;
  try {
    valid = fromPublic(publicKey).verify(Buffer.from(signed, "utf8"), signature);
  } catch {
    valid = false;
  }
  if (!valid) throw new UnauthorizedError("device token signature does not verify");
}

/** What an agent does: sign `{sub, exp}` with its nkey (the seed never leaves the device). */
export function signDeviceToken(
  claims: DeviceTokenClaims,
  sign: (data: Uint8Array) => Uint8Array,
): string {
  const payload = b64url(JSON.stringify(claims));
  return `${payload}.${b64url(sign(Buffer.from(payload, "utf8")))}`;
}
