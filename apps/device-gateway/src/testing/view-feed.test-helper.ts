import { setTimeout as sleep } from "node:timers/promises";
import type { NatsConnection } from "@nats-io/transport-node";
import { type INestMicroservice, Module } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import {
  EVENTS_STREAM,
  eventStoreMigrations,
  migrate,
  type PostgresEventStore,
  parseEventPayload,
  poolOf,
  type RunningProcessor,
} from "@statecast/events";
import { JetStreamEventsServer, PostgresConsumerLeases } from "@statecast/platform";
import type pg from "pg";
import { DataSource } from "typeorm";
import { GatewayView } from "../view/gateway-view.js";
import { gatewayViewMigrations } from "../view/gateway-view.migrations.js";
import { GatewayViewEvent } from "../view/gateway-view-event.entity.js";
import { VIEW_EVENT_TYPES } from "../view/view-event-types.js";
import { VIEW_CONSUMERS, ViewEventsController } from "../view/view-events.controller.js";
import { relayEvents } from "./event-feed.test-helper.js";

export interface FedView {
  view: GatewayView;
  /** Resolves once the view holds every event of the store it keeps (what the relay published). */
  caughtUp(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The gateway's view fed as in the gateway: the relay publishes the store's events to SC_EVENTS
 * (`relay: false` where the test runs one already) and the view's consumers record them.
 */
export async function feedView(
  url: string,
  store: PostgresEventStore,
  nats: NatsConnection,
  options: { relay?: boolean } = {},
): Promise<FedView> {
  await migrate(url, [...eventStoreMigrations, ...gatewayViewMigrations]);
  const dataSource = await new DataSource({
    type: "postgres",
    url,
    entities: [GatewayViewEvent],
    poolSize: 4,
  }).initialize();
  const view = new GatewayView(dataSource.getRepository(GatewayViewEvent));
  const relay: RunningProcessor | undefined =
    options.relay === false ? undefined : await relayEvents(store, nats);
  @Module({
    controllers: [ViewEventsController],
    providers: [{ provide: GatewayView, useValue: view }],
  })
  class ViewFeedModule {}
  const app: INestMicroservice = await NestFactory.createMicroservice(ViewFeedModule, {
    strategy: new JetStreamEventsServer(nats, {
      stream: EVENTS_STREAM,
      consumers: VIEW_CONSUMERS,
      decode: parseEventPayload,
      leases: new PostgresConsumerLeases(poolOf(dataSource), { retryMs: 100 }),
      backoffMs: [100],
    }),
    logger: false,
  });
  await app.listen();
  return {
    view,
    caughtUp: (timeoutMs) => untilViewCaughtUp(poolOf(dataSource), timeoutMs),
    async close() {
      await app.close();
      await relay?.stop();
      await dataSource.destroy();
    },
  };
}

/**
 * Resolves once the gateway's view holds every event of the record it keeps: what a test waits
 * for after appending as the orchestrator, before a device acts on it.
 */
export async function untilViewCaughtUp(pool: pg.Pool, timeoutMs = 10_000): Promise<void> {
  const count = (table: string) =>
    pool
      .query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${table} WHERE type = ANY($1::text[])`,
        [VIEW_EVENT_TYPES],
      )
      .then(({ rows }) => rows[0]?.n ?? 0);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [recorded, viewed] = [await count("events"), await count("gateway_view_events")];
    if (viewed === recorded) return;
    if (Date.now() > deadline)
      throw new Error(`the view holds ${viewed} of ${recorded} events after ${timeoutMs} ms`);
    await sleep(20);
  }
}
