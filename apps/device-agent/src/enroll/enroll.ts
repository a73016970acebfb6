import { connect, headers, type NatsConnection } from "@nats-io/transport-node";
import {
  enrollmentInboxPrefix,
  FIXED_TARGET_WATCH,
  firstIssue,
  type Hello,
  type HelloReply,
  helloReplySchema,
  helloSubject,
  keyFingerprint,
  RENEWS_CREDENTIALS_HEADER,
  TARGET_WATCH_HEADER,
} from "@statecast/contract";
import { credsConnectionOptions } from "@statecast/nats-auth";
import { writeFileAtomic } from "../fs/atomic.js";
import type { Logger } from "../log.js";
import { credsText, credsUserKey, loadOrCreateIdentity } from "./identity.js";

export interface EnrollOptions {
  natsUrl: string;
  /** PEM of the pinned NATS CA: TLS required, only this CA trusted. */
  natsCa?: string;
  deviceId: string;
  fleet: string;
  /** `.creds` text of the fleet's enrollment user (may only say hello). */
  enrollmentCreds: string;
  /** A fleet enrollment token secret: enrolls and approves at once. */
  enrollmentToken?: string;
  /** The device's own nkey seed (created here the first time). */
  identityFile: string;
  /** Where the device's own `.creds` are written (0600, atomic). */
  credsFile: string;
  log: Logger;
  /** Backoff between hellos while pending or unanswered: from `initialMs`, doubling, to `maxMs`. */
  retryInitialMs?: number;
  retryMaxMs?: number;
  requestTimeoutMs?: number;
  signal?: AbortSignal;
}

/** The gateway said no: the device must not retry by itself (exit, an operator decides). */
export class EnrollmentRefused extends Error {
  override readonly name = "EnrollmentRefused";
  constructor(readonly reason: string) {
    super(`enrollment refused: ${reason}`);
  }
}

/**
 * The hello protocol, device side (apps/device-gateway/src/enrollment/README.md): say hello
 * with the device's own public key as the enrollment user, wait while pending (retrying with
 * backoff), build the device's `.creds` from the JWT it gets and its own seed, store them.
 * Returns the creds text; throws `EnrollmentRefused` on a refusal.
 */
export async function enroll(options: EnrollOptions): Promise<string> {
  const { deviceId, log } = options;
  const identity = await loadOrCreateIdentity(options.identityFile);
  // What the operator compares before approving this key (`statecast devices approve --key`).
  log.info("saying hello", { keyFingerprint: keyFingerprint(identity.getPublicKey()) });
  const hello = JSON.stringify(
    helloOf(deviceId, identity.getPublicKey(), options.fleet, options.enrollmentToken),
  );
  const nc = await connect({
    servers: options.natsUrl.split(",").map((url) => url.trim()),
    name: `statecast-agent ${deviceId} (enrolling)`,
    ...(options.natsCa ? { tls: { ca: options.natsCa } } : {}),
    reconnect: true,
    maxReconnectAttempts: -1,
    waitOnFirstConnect: true,
    // The enrollment user may only receive on an inbox named after its own key.
    inboxPrefix: enrollmentInboxPrefix(credsUserKey(options.enrollmentCreds)),
    ...credsConnectionOptions(options.enrollmentCreds),
  });
  try {
    for (let attempt = 0; ; attempt++) {
      const reply = await sayHello(nc, deviceId, hello, options.requestTimeoutMs ?? 5_000);
      if ("status" in reply && reply.status === "enrolled") {
        const creds = credsText(reply.jwt, identity);
        await writeFileAtomic(options.credsFile, creds);
        log.info("enrolled; device credentials stored", {
          publicKey: identity.getPublicKey(),
          credsFile: options.credsFile,
        });
        return creds;
      }
      if ("status" in reply && reply.status === "refused")
        throw new EnrollmentRefused(reply.reason);
      const backoffMs = (options.retryInitialMs ?? 1_000) * 2 ** Math.min(attempt, 16);
      // A busy gateway says when to ask again (its hello limits); never sooner than it asked.
      const busy = "status" in reply && reply.status === "busy";
      const delayMs = Math.min(
        options.retryMaxMs ?? 60_000,
        busy ? Math.max(reply.retryAfterMs, backoffMs) : backoffMs,
      );
      const why = !("status" in reply)
        ? `hello not answered: ${reply.error}`
        : busy
          ? `gateway busy: ${reply.reason}`
          : "enrollment pending approval";
      log.info(`${why}; asking again`, { attempt: attempt + 1, inMs: delayMs });
      await abortableSleep(delayMs, options.signal);
    }
  } finally {
    await nc.close().catch(() => undefined);
  }
}

/** The hello a device sends (the one builder, which the contract test holds to the gateway's). */
export function helloOf(
  deviceId: string,
  publicKey: string,
  fleet: string,
  enrollmentToken?: string,
): Hello {
  return { deviceId, publicKey, fleet, ...(enrollmentToken ? { enrollmentToken } : {}) };
}

/**
 * One hello and its reply (or why there is none). It says the agent renews its credentials, so
 * the gateway issues a JWT that expires (see CredentialsRenewal), and that it needs no consumer
 * but the one fixed one (it holds none: it follows its target by direct get), so the gateway
 * never needs to issue it the earlier releases' watch permissions.
 */
export async function sayHello(
  nc: NatsConnection,
  deviceId: string,
  hello: string,
  timeout: number,
): Promise<HelloReply | { error: string }> {
  try {
    const renews = headers();
    renews.set(RENEWS_CREDENTIALS_HEADER, "1");
    renews.set(TARGET_WATCH_HEADER, FIXED_TARGET_WATCH);
    const msg = await nc.request(helloSubject(deviceId), hello, { timeout, headers: renews });
    const reply = helloReplySchema.safeParse(msg.json());
    if (reply.success) return reply.data;
    return { error: `the gateway's reply is not a hello reply (${firstIssue(reply.error)})` };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error("enrollment aborted"));
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(new Error("enrollment aborted"));
      },
      { once: true },
    );
  });
}
