import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type JetStreamManager, jetstreamManager } from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import { type ObjectStore, Objm } from "@nats-io/obj";
import { type ConnectionOptions, connect, type NatsConnection } from "@nats-io/transport-node";
import { type TargetEnvelope, targetChangedSubject } from "@statecast/contract";
import type { ObjectAccess } from "../../../device-gateway/src/objects/object-access.js";
import { ObjectResponder } from "../../../device-gateway/src/objects/object-responder.js";
import type { StatusReport } from "../report/report.js";

export const STATUS_STREAM = "SC_DEVICE_STATUS";

/**
 * The gateway's side of DESIGN §3 for agent tests before the gateway exists: the test
 * writes targets into KV and reads reports from the stream itself.
 */
export class GatewaySide {
  /**
   * Reads of object chunks the object responder gets a JetStream timeout for, from now (what a
   * gateway under a wave of thousands of devices saw in issue 16).
   */
  failChunkReads = 0;

  private constructor(
    readonly nc: NatsConnection,
    readonly jsm: JetStreamManager,
    readonly targets: KV,
    readonly objects: ObjectStore,
  ) {}

  /** `options`: more connection options, e.g. the pinned CA of a TLS server. */
  static async open(url: string, options: Partial<ConnectionOptions> = {}): Promise<GatewaySide> {
    const nc = await connect({ ...options, servers: url });
    const jsm = await jetstreamManager(nc);
    if (!(await jsm.streams.info(STATUS_STREAM).catch(() => undefined))) {
      await jsm.streams.add({ name: STATUS_STREAM, subjects: ["sc.dev.*.status"] });
    }
    const targets = await new Kvm(nc).create("sc_targets", { history: 1 });
    const objects = await new Objm(nc).create("sc_objects");
    // The gateway's object responder, allowing every object (access rules: gateway tests).
    const allowAll = { refusal: async () => undefined } as unknown as ObjectAccess;
    let side: GatewaySide | undefined;
    const faultyJsm = {
      streams: {
        getMessage: (...args: Parameters<JetStreamManager["streams"]["getMessage"]>) => {
          if (side && side.failChunkReads > 0) {
            side.failChunkReads--;
            return Promise.reject(new Error("timeout"));
          }
          return jsm.streams.getMessage(...args);
        },
      },
    } as unknown as JetStreamManager;
    new ObjectResponder(nc, faultyJsm, objects, allowAll).start();
    await nc.flush();
    side = new GatewaySide(nc, jsm, targets, objects);
    return side;
  }

  async putObjects(dir: string): Promise<void> {
    for (const name of readdirSync(dir)) {
      if (!(await this.objects.info(name)))
        await this.objects.putBlob({ name }, readFileSync(join(dir, name)));
    }
  }

  /** As the gateway writes a target: the key, then the device's change message (issue 16). */
  async putTarget(target: TargetEnvelope): Promise<void> {
    const revision = await this.targets.put(target.deviceId, JSON.stringify(target));
    this.nc.publish(targetChangedSubject(target.deviceId), `${revision}`);
  }

  /** Every progress report in the status stream, with its msgID, in stream order (no beats). */
  async reports(): Promise<(StatusReport & { msgId: string })[]> {
    const info = await this.jsm.streams.info(STATUS_STREAM);
    const out: (StatusReport & { msgId: string })[] = [];
    for (
      let seq = info.state.first_seq;
      seq <= info.state.last_seq && info.state.messages > 0;
      seq++
    ) {
      const message = await this.jsm.streams.getMessage(STATUS_STREAM, { seq });
      // Liveness beats and health reports share the subject; they are not progress reports.
      const kind = message?.json<{ kind?: string }>().kind;
      if (message && kind !== "heartbeat" && kind !== "health")
        out.push({
          ...message.json<StatusReport>(),
          msgId: message.header?.get("Nats-Msg-Id") ?? "",
        });
    }
    return out;
  }

  async waitForReport(
    predicate: (r: StatusReport) => boolean,
    timeoutMs = 30_000,
  ): Promise<(StatusReport & { msgId: string })[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reports = await this.reports().catch(() => []);
      if (reports.some(predicate)) return reports;
      if (Date.now() > deadline)
        throw new Error(
          `no matching report within ${timeoutMs} ms; got ${reports.map((r) => r.status).join(",")}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async close(): Promise<void> {
    await this.nc.close().catch(() => undefined);
  }
}
