import { randomUUID } from "node:crypto";
import type { Msg, NatsConnection, Subscription } from "@nats-io/transport-node";
import { Logger } from "@nestjs/common";
import { ConcurrencyError, deviceStreamId, type PostgresEventStore } from "@statecast/events";
import { issueDeviceUser, type OperatorSetup } from "@statecast/nats-auth";
import { decideHello, foldEnrollment, Hello } from "./hello.js";

/** Replicas share hellos through this queue group: each hello is answered once. */
export const HELLO_QUEUE = "sc-enrollment";

/** What a device gets back from its hello. */
export type HelloReply =
  | { status: "pending" }
  | { status: "enrolled"; jwt: string }
  | { status: "refused"; reason: string };

/**
 * Answers `sc.dev.<id>.hello`: a new device is recorded as pending (`DeviceEnrolled`), an
 * approved one gets a user JWT for its own public key (`DeviceCredentialsIssued` the first
 * time; the JWT, never the seed, which stays on the device). A different key for an enrolled id,
 * a revoked key or a decommissioned device is refused without an event.
 */
export class EnrollmentResponder {
  private readonly logger = new Logger("Enrollment");
  private subscription: Subscription | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly store: PostgresEventStore,
    private readonly setup: OperatorSetup,
  ) {}

  start(): void {
    this.subscription = this.nc.subscribe("sc.dev.*.hello", {
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
    const parsed = Hello.safeParse(safeJson(msg.string()));
    if (!parsed.success) {
      return { status: "refused", reason: `malformed hello: ${parsed.error.issues[0]?.message}` };
    }
    const hello = parsed.data;
    if (msg.subject !== `sc.dev.${hello.deviceId}.hello`) {
      return { status: "refused", reason: `hello for ${hello.deviceId} sent on ${msg.subject}` };
    }
    for (let attempt = 1; ; attempt++) {
      const streamId = deviceStreamId(hello.deviceId);
      const { events, version } = await this.store.readStream(streamId);
      const decision = decideHello(hello, foldEnrollment(events));
      if (decision.outcome === "refused") {
        this.logger.warn(`hello refused: ${decision.reason}`);
        return { status: "refused", reason: decision.reason };
      }
      const metadata = {
        correlationId: randomUUID(),
        causationId: randomUUID(),
        actor: `device:${hello.deviceId}` as const,
        now: new Date().toISOString(),
      };
      try {
        if (decision.events.length > 0) {
          await this.store.append(
            streamId,
            decision.events.map((e) => ({ ...e, metadata })),
            { expectedVersion: version === 0 ? "no_stream" : version },
          );
        }
      } catch (error) {
        if (error instanceof ConcurrencyError && attempt < 3) continue;
        throw error;
      }
      if (decision.outcome === "pending") return { status: "pending" };
      const { jwt } = await issueDeviceUser(this.setup, hello.deviceId, hello.publicKey);
      return { status: "enrolled", jwt };
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
