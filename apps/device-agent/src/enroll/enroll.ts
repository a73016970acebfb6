import { connect, type NatsConnection } from "@nats-io/transport-node";
import { credsConnectionOptions } from "@statecast/nats-auth";
import { writeFileAtomic } from "../fs/atomic.js";
import type { Logger } from "../log.js";
import { credsText, credsUserKey, loadOrCreateIdentity } from "./identity.js";

export interface EnrollOptions {
  natsUrl: string;
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

type HelloReply =
  | { status: "pending" }
  | { status: "enrolled"; jwt: string }
  | { status: "refused"; reason: string }
  | { status: "busy"; reason: string; retryAfterMs: number };

/**
 * The hello protocol, device side (apps/device-gateway/src/enrollment/README.md): say hello
 * with the device's own public key as the enrollment user, wait while pending (retrying with
 * backoff), build the device's `.creds` from the JWT it gets and its own seed, store them.
 * Returns the creds text; throws `EnrollmentRefused` on a refusal.
 */
export async function enroll(options: EnrollOptions): Promise<string> {
  const { deviceId, log } = options;
  const identity = await loadOrCreateIdentity(options.identityFile);
  const hello = JSON.stringify({
    deviceId,
    publicKey: identity.getPublicKey(),
    fleet: options.fleet,
    ...(options.enrollmentToken ? { enrollmentToken: options.enrollmentToken } : {}),
  });
  const nc = await connect({
    servers: options.natsUrl,
    name: `statecast-agent ${deviceId} (enrolling)`,
    reconnect: true,
    maxReconnectAttempts: -1,
    waitOnFirstConnect: true,
    // The enrollment user may only receive on an inbox named after its own key.
    inboxPrefix: `sc.enroll.${credsUserKey(options.enrollmentCreds)}`,
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

async function sayHello(
  nc: NatsConnection,
  deviceId: string,
  hello: string,
  timeout: number,
): Promise<HelloReply | { error: string }> {
  try {
    const msg = await nc.request(`sc.dev.${deviceId}.hello`, hello, { timeout });
    const reply = msg.json<HelloReply>();
    if (reply?.status === "pending" || reply?.status === "refused") return reply;
    if (reply?.status === "busy" && Number.isFinite(reply.retryAfterMs)) return reply;
    if (reply?.status === "enrolled" && typeof reply.jwt === "string") return reply;
    return { error: "the gateway's reply is not a hello reply" };
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
