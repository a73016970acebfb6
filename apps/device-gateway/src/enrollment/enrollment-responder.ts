import { randomUUID } from "node:crypto";
import type { Msg, NatsConnection, Subscription } from "@nats-io/transport-node";
import { Logger } from "@nestjs/common";
import {
  FIXED_TARGET_WATCH,
  firstIssue,
  HELLO_SUBJECTS,
  type Hello,
  type HelloReply,
  helloSchema,
  helloSubject,
  RENEWS_CREDENTIALS_HEADER,
  TARGET_WATCH_HEADER,
} from "@statecast/contract";
import { enrollmentTokenRefusal, foldDevice, foldEnrollmentToken } from "@statecast/device-domain";
import {
  deviceStreamId,
  enrollmentTokenStreamId,
  type PostgresEventStore,
  type RecordedEvent,
  type StreamAppend,
  withRetry,
} from "@statecast/events";
import { enrollmentSecretTokenId, type GatewaySetup, issueDeviceUser } from "@statecast/nats-auth";
import type { GatewayView } from "../view/gateway-view.js";
import {
  decideHello,
  decideTargetWatch,
  type LegacyTargetWatch,
  type TokenCheck,
} from "./hello.js";
import { HelloLimits } from "./hello-limits.js";
import { InTurn } from "./in-turn.js";

/** Replicas share hellos through this queue group: each hello is answered once. */
export const HELLO_QUEUE = "sc-enrollment";

// A new device's stream created meanwhile, or uses of one token racing on several replicas: the
// hello runs again once the view has the new version. Hellos racing on one token (a batch of
// devices switched on together) each take the token stream's next version in turn. The policy is
// the one retry policy's, with room for the view to catch up (about 10 s in all) rather than refuse.
const HELLO_RETRY = { maxAttempts: 40, baseDelayMs: 10, maxDelayMs: 400 };

/** A hello answered without credentials, or the decision whose events were recorded. */
type Decided =
  | HelloReply
  | { decision: Exclude<ReturnType<typeof decideHello>, { outcome: "refused" }>; legacy: boolean };

export type { HelloReply };

/** Lifetime of a renewing agent's user JWT unless configured (STATECAST_DEVICE_CREDENTIALS_SECONDS). */
export const DEFAULT_CREDENTIALS_LIFETIME_MS = 24 * 3600_000;

export interface EnrollmentOptions {
  /** Lifetime of the JWT issued to an agent that renews (its hello carries the header). */
  credentialsLifetimeMs?: number;
  /** STATECAST_LEGACY_TARGET_WATCH (see `LegacyTargetWatch`); `auto` by default. */
  legacyTargetWatch?: LegacyTargetWatch;
}

/**
 * Answers `sc.dev.<id>.hello`: a new device is recorded as pending (`DeviceEnrolled`), an
 * approved one gets a user JWT for its own public key (`DeviceCredentialsIssued` the first
 * time; the JWT, never the seed, which stays on the device). A valid fleet enrollment token
 * enrolls and approves at once (`EnrollmentTokenUsed` on the token's stream, same transaction).
 * A different key for an enrolled id, a revoked key, a decommissioned device or a refused token
 * is answered with a reason and no event. Hellos past the gateway's limits (see HelloLimits) are
 * answered `busy` with when to ask again, and a fleet that requires a token refuses new devices
 * without one.
 *
 * It decides on the gateway's own view (GatewayView, from SC_EVENTS), never on the record: the
 * view holds a token's whole stream, so a token use is appended at the version it was checked at;
 * a new device is appended only where its stream does not exist yet. An enrolled device's events
 * (credentials issued, target watch) are appended at any version: two replicas answering the same
 * device at once record its credentials twice, which changes nothing.
 */
export class EnrollmentResponder {
  private readonly logger = new Logger("Enrollment");
  private subscription: Subscription | undefined;
  private readonly inTurn = new InTurn();

  constructor(
    private readonly nc: NatsConnection,
    private readonly store: PostgresEventStore,
    private readonly view: GatewayView,
    private readonly setup: GatewaySetup,
    private readonly limits = new HelloLimits(view),
    private readonly options: EnrollmentOptions = {},
  ) {}

  start(): void {
    this.subscription = this.nc.subscribe(HELLO_SUBJECTS, {
      queue: HELLO_QUEUE,
      callback: (_error, msg) => {
        void this.answer(msg);
      },
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.drain();
  }

  private async answer(msg: Msg): Promise<void> {
    let reply: HelloReply;
    try {
      reply = await this.handle(msg);
    } catch (error) {
      this.logger.error(`hello on ${msg.subject} failed: ${(error as Error).message}`);
      reply = { status: "refused", reason: "the gateway could not record the hello; try again" };
    }
    msg.respond(JSON.stringify(reply));
  }

  async handle(msg: Msg): Promise<HelloReply> {
    const parsed = helloSchema.safeParse(safeJson(msg.string()));
    if (!parsed.success) {
      return { status: "refused", reason: `malformed hello: ${firstIssue(parsed.error)}` };
    }
    const hello = parsed.data;
    if (msg.subject !== helloSubject(hello.deviceId)) {
      return { status: "refused", reason: `hello for ${hello.deviceId} sent on ${msg.subject}` };
    }
    const busy = this.limits.hello();
    if (busy) return busy;
    const deviceStream = deviceStreamId(hello.deviceId);
    const tokenId = hello.enrollmentToken && enrollmentSecretTokenId(hello.enrollmentToken);
    const tokenStream = tokenId ? enrollmentTokenStreamId(tokenId) : undefined;
    return this.inTurn.run(tokenStream ?? deviceStream, () =>
      this.decideAndRecord(msg, hello, deviceStream, tokenStream),
    );
  }

  /** The hello decided on the view and its events appended (again on a version conflict). */
  private async decideAndRecord(
    msg: Msg,
    hello: Hello,
    deviceStream: string,
    tokenStream: string | undefined,
  ): Promise<HelloReply> {
    const result = await withRetry(
      `hello of ${hello.deviceId}`,
      () => this.attempt(msg, hello, deviceStream, tokenStream),
      HELLO_RETRY,
    );
    if ("status" in result) return result;
    const { decision, legacy } = result;
    if (decision.outcome === "pending") return { status: "pending" };
    if (decision.tokenUse) {
      this.logger.log(
        `device ${hello.deviceId} enrolled with enrollment token ${decision.tokenUse.tokenId}`,
      );
    }
    // An agent that renews gets a JWT that expires; one of an earlier release never renews, so
    // an expiring JWT would cut it off for good: it keeps one without expiry.
    const lifetimeMs = this.options.credentialsLifetimeMs ?? DEFAULT_CREDENTIALS_LIFETIME_MS;
    const renews = msg.headers?.get(RENEWS_CREDENTIALS_HEADER) === "1";
    const lifetime = renews ? Math.max(1, Math.round(lifetimeMs / 1000)) : undefined;
    const { jwt } = await issueDeviceUser(this.setup, hello.deviceId, hello.publicKey, lifetime, {
      legacyTargetWatch: legacy,
    });
    return { status: "enrolled", jwt };
  }

  /** One attempt: read the view, decide, append in one transaction (ConcurrencyError: again). */
  private async attempt(
    msg: Msg,
    hello: Hello,
    deviceStream: string,
    tokenStream: string | undefined,
  ): Promise<Decided> {
    const now = new Date().toISOString();
    const streams = await this.view.streams(
      tokenStream ? [deviceStream, tokenStream] : [deviceStream],
    );
    const device = streams.get(deviceStream) ?? { events: [], version: 0 };
    const token = tokenStream ? streams.get(tokenStream) : undefined;
    const check = checkToken(hello, token?.events ?? [], now);
    const state = foldDevice(hello.deviceId, device.events);
    const decision = decideHello(hello, state, check);
    if (decision.outcome === "refused") {
      this.logger.warn(`hello of ${hello.deviceId} refused: ${decision.reason}`);
      return { status: "refused", reason: decision.reason };
    }
    // Earlier agents watch with `kv.watch` (a new consumer name each time); a key whose agent
    // once announced the fixed consumer keeps the bound (`decideTargetWatch`).
    const watch = decideTargetWatch(
      state,
      hello.publicKey,
      msg.headers?.get(TARGET_WATCH_HEADER) === FIXED_TARGET_WATCH,
      this.options.legacyTargetWatch ?? "auto",
    );
    const deviceEvents =
      decision.outcome === "issue" ? [...decision.events, ...watch.events] : decision.events;
    const enrolls = decision.events.some((event) => event.type === "DeviceEnrolled");
    if (decision.outcome === "pending" && enrolls) {
      // A new device without a token: the fleet's policy and limits decide whether it is recorded.
      if (this.limits.tokenRequired(hello.fleet)) {
        const reason = `fleet ${hello.fleet} enrolls devices only with an enrollment token`;
        return { status: "refused", reason };
      }
      const full = await this.limits.newPending(hello.fleet);
      if (full) return full;
    }
    const metadata = {
      correlationId: randomUUID(),
      causationId: randomUUID(),
      actor: `device:${hello.deviceId}` as const,
      now,
    };
    const appends: StreamAppend[] = [];
    if (deviceEvents.length > 0) {
      appends.push({
        streamId: deviceStream,
        events: deviceEvents.map((e) => ({ ...e, metadata, eventId: randomUUID() })),
        expectedVersion: device.events.length === 0 ? "no_stream" : "any",
      });
    }
    if (decision.outcome === "issue" && decision.tokenUse && tokenStream && token) {
      appends.push({
        streamId: tokenStream,
        events: [{ ...decision.tokenUse.event, metadata, eventId: randomUUID() }],
        expectedVersion: token.version,
      });
    }
    // One transaction: a token use is counted only with the enrollment it allowed.
    if (appends.length > 0)
      await this.view.recordAppended(appends, await this.store.appendMany(appends));
    return { decision, legacy: watch.legacy };
  }
}

/** The hello's token against its stream; the secret itself never reaches a log or a reply. */
function checkToken(hello: Hello, tokenEvents: readonly RecordedEvent[], now: string): TokenCheck {
  const secret = hello.enrollmentToken;
  if (secret === undefined) return { kind: "none" };
  const token = foldEnrollmentToken(tokenEvents);
  const reason = enrollmentTokenRefusal(token, secret, hello.fleet, now);
  if (reason !== undefined || !token) {
    return { kind: "refused", reason: reason ?? "enrollment token not recognised" };
  }
  return { kind: "valid", tokenId: token.tokenId, tags: token.tags };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
