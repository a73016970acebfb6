import { createUser as createSlowUser, encodeUser } from "@nats-io/jwt";
import { enrollmentInboxPrefix, HELLO_SUBJECTS } from "@statecast/contract";
import { nativeKeyPair } from "./native-nkeys.js";
import { type ServerIdentities, setupKey } from "./operator-setup.js";
import { credsText } from "./users.js";

/** What a not-yet-enrolled device connects with to say hello. */
export interface EnrollmentCredentials {
  readonly creds: string;
  /** The only inbox prefix this user may receive on: pass it as `inboxPrefix` to `connect()`. */
  readonly inboxPrefix: string;
}

/**
 * A bootstrap user of the DEVICES account for devices without credentials yet: it may ONLY
 * request `sc.dev.*.hello` and receive replies on an inbox named after its own (fresh) key, so
 * two devices bootstrapping with different enrollment users never see each other's replies.
 * It cannot publish status, read targets or objects.
 */
export async function issueEnrollmentUser(setup: ServerIdentities): Promise<EnrollmentCredentials> {
  const user = nativeKeyPair(createSlowUser().getSeed());
  const inboxPrefix = enrollmentInboxPrefix(user.getPublicKey());
  const jwt = await encodeUser(
    "enrollment",
    user,
    setup.devicesAccount.publicKey,
    {
      pub: { allow: [HELLO_SUBJECTS], deny: [] },
      sub: { allow: [`${inboxPrefix}.>`], deny: [] },
      bearer_token: false,
      allowed_connection_types: ["STANDARD"],
    },
    { signer: setupKey(setup, "devicesSigning") },
  );
  return { creds: credsText(jwt, user), inboxPrefix };
}
