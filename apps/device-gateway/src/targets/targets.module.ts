import type { JetStreamClient } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { Objm } from "@nats-io/obj";
import type { NatsConnection } from "@nats-io/transport-node";
import { Module } from "@nestjs/common";
import { getDataSourceToken } from "@nestjs/typeorm";
import {
  OBJECTS_BUCKET,
  REVISIONS_BUCKET,
  TARGETS_BUCKET,
  targetChangedSubject,
} from "@statecast/contract";
import { poolOf } from "@statecast/events";
import { JETSTREAM, NATS_CONNECTION, SERVICE_CONFIG } from "@statecast/platform";
import type pg from "pg";
import type { DataSource } from "typeorm";
import type { GatewayConfig } from "../config/gateway.config.js";
import { DeltaMaker } from "../deltas/delta-maker.js";
import { HELD_BUCKET, HeldRevisions } from "../deltas/held-objects.js";
import { DeviceObjectsModule } from "../objects/device-objects.module.js";
import { NatsObjectSource } from "../objects/nats-object-source.js";
import { ObjectResponder } from "../objects/object-responder.js";
import { ViewModule } from "../view/view.module.js";
import { ensureDirectGet } from "./direct-get.js";
import { TARGETS_CONSUMER, TargetEventsController } from "./target-events.controller.js";
import { ensureTargetKeyIn } from "./target-key.js";
import { TargetWriter } from "./target-writer.js";
import { TargetsMetrics } from "./targets.metrics.js";

/** Targets from SC_EVENTS (consumer `gateway-targets`), signed with the gateway's own key. */
@Module({
  imports: [ViewModule, DeviceObjectsModule],
  controllers: [TargetEventsController],
  providers: [
    {
      provide: TargetWriter,
      inject: [NATS_CONNECTION, JETSTREAM, SERVICE_CONFIG, getDataSourceToken(), ObjectResponder],
      useFactory: async (
        nc: NatsConnection,
        js: JetStreamClient,
        config: GatewayConfig,
        dataSource: DataSource,
        responder: ObjectResponder,
      ) => {
        const replicas = config.natsReplicas;
        const kvm = new Kvm(js);
        // History 1: a device only ever needs its latest target. Direct gets: see nats-auth.
        const targets = await kvm.create(TARGETS_BUCKET, {
          history: 1,
          allow_direct: true,
          replicas,
        });
        await ensureDirectGet(await js.jetstreamManager(), `KV_${TARGETS_BUCKET}`);
        const natsObjects = await new Objm(js).create(OBJECTS_BUCKET, { replicas });
        const objects = new NatsObjectSource(natsObjects, await js.jetstreamManager());
        const held = new HeldRevisions(
          await kvm.create(HELD_BUCKET, { history: 1, replicas }),
          await kvm.create(REVISIONS_BUCKET, { history: 1, replicas }),
        );
        return new TargetWriter(targets, objects, held, ensureTargetKeyIn(config.targetKeyDir), {
          // A delta made for a device is offered to it at once, not after the responder's memory.
          deltas: new DeltaMaker(objects, natsObjects, {
            offersWritten: (to) => responder.forgetOffers(to),
          }),
          lifetimeMs: config.targetLifetimeMs,
          handledThrough: await previousCheckpoint(poolOf(dataSource), TARGETS_CONSUMER),
          // Agents since issue 16 read their key on this (no consumer per device).
          changed: (deviceId, revision) =>
            nc.publish(targetChangedSubject(deviceId), revision === undefined ? "" : `${revision}`),
        });
      },
    },
    TargetsMetrics,
  ],
})
export class TargetsModule {}

/**
 * Where the previous release's processor of this name had got to (it read the event store; its
 * checkpoint row is the gateway's own), or undefined on a system that never ran it.
 */
async function previousCheckpoint(pool: pg.Pool, name: string): Promise<bigint | undefined> {
  const { rows } = await pool.query<{ global_position: string }>(
    "SELECT global_position FROM processor_checkpoints WHERE processor_name = $1",
    [name],
  );
  return rows[0] ? BigInt(rows[0].global_position) : undefined;
}
