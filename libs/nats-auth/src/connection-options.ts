import { type ConnectionOptions, credsAuthenticator } from "@nats-io/transport-node";
import { deviceInboxPrefix } from "./names.js";

/** `connect()` options for a user holding `.creds` text (services, system user). */
export function credsConnectionOptions(creds: string): Pick<ConnectionOptions, "authenticator"> {
  return { authenticator: credsAuthenticator(new TextEncoder().encode(creds)) };
}

/**
 * The `connect()` options a device must use: its creds, and the inbox prefix its permissions
 * allow (the default `_INBOX.` prefix is refused). Add `servers`, `name`, reconnect settings.
 */
export function deviceConnectionOptions(
  creds: string,
  deviceId: string,
): Pick<ConnectionOptions, "authenticator" | "inboxPrefix"> {
  return { ...credsConnectionOptions(creds), inboxPrefix: deviceInboxPrefix(deviceId) };
}
