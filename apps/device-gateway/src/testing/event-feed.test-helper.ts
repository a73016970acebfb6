import type { NatsConnection } from "@nats-io/transport-node";
import { type INestMicroservice, Module } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import {
  EVENTS_STREAM,
  type PostgresEventStore,
  parseEventPayload,
  type RunningProcessor,
  startRelay,
} from "@statecast/events";
import { JetStreamEventsServer } from "@statecast/platform";
import { CREDENTIAL_REVOKER, type CredentialRevoker } from "../enrollment/credential-revoker.js";
import { ENROLLMENT } from "../enrollment/enrollment.tokens.js";
import { RevocationEventsController } from "../enrollment/revocation-events.controller.js";

/** The orchestrator's relay on a test's store: every committed event into SC_EVENTS. */
export function relayEvents(store: PostgresEventStore, nats: NatsConnection) {
  return startRelay(store, { nats, pollIntervalMs: 20 });
}

/**
 * The revoker fed as the gateway feeds it: the relay publishes the store's events to SC_EVENTS and
 * the events transport hands each `DeviceCredentialsRevoked` to it.
 */
export async function feedRevoker(
  store: PostgresEventStore,
  nats: NatsConnection,
  revoker: CredentialRevoker,
): Promise<{ close(): Promise<void> }> {
  const relay: RunningProcessor = await relayEvents(store, nats);
  @Module({
    controllers: [RevocationEventsController],
    providers: [{ provide: ENROLLMENT, useValue: { revoker } }],
  })
  class RevokerModule {}
  const app: INestMicroservice = await NestFactory.createMicroservice(RevokerModule, {
    strategy: new JetStreamEventsServer(nats, {
      stream: EVENTS_STREAM,
      consumers: [
        { name: CREDENTIAL_REVOKER, filterSubject: "sc.evt.device.*.DeviceCredentialsRevoked" },
      ],
      decode: parseEventPayload,
      backoffMs: [100],
    }),
    logger: false,
  });
  await app.listen();
  return {
    async close() {
      await app.close();
      await relay.stop();
    },
  };
}
