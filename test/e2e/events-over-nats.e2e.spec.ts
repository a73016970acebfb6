import { existsSync } from "node:fs";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { createUser } from "@nats-io/nkeys";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { helloSubject, TARGETS_BUCKET } from "@statecast/contract";
import { EVENTS_STREAM } from "@statecast/events";
import {
  credsConnectionOptions,
  credsText,
  deviceConnectionOptions,
  issueEnrollmentUser,
} from "@statecast/nats-auth";
import { CREDENTIAL_REVOKER } from "../../apps/device-gateway/src/enrollment/credential-revoker.js";
import { TARGETS_CONSUMER } from "../../apps/device-gateway/src/targets/target-events.controller.js";
import { VIEW_CONSUMERS } from "../../apps/device-gateway/src/view/view-events.controller.js";
import {
  allOnRevision,
  BUSYBOX_APP,
  expectStatus,
  type FleetSystem,
  rolloutReaches,
  sims,
  startFleet,
  startRollout,
  until,
} from "./fleet.test-helper.js";
import {
  fleetReportProblems,
  gatewayDrops,
  gatewayHeldForGap,
  gatewayReportLosses,
} from "./report-ledger.test-helper.js";

const wave = (percent: number) => ({
  size: { percent },
  minSample: 2,
  soakSeconds: 0,
  maxFailures: { percent: 10 },
});

/**
 * The gateway learns targets and revocations only from SC_EVENTS (the orchestrator's relay) and
 * objects only from sc_objects: it runs in its own directory with its own key, with no path into
 * the orchestrator's. Killed with events waiting, it picks them up from its durable consumers.
 */
describe("targets and revocations reach devices through SC_EVENTS, across a gateway SIGKILL", () => {
  let system: FleetSystem;
  let services: NatsConnection;
  const devices = 12;

  beforeAll(async () => {
    system = await startFleet(sims("edge", devices, "ev"), { processes: true, enrollment: true });
    services = await connect({
      servers: system.services.nats.url,
      ...credsConnectionOptions(system.services.servicesCreds),
    });
  });
  afterAll(async () => {
    await services?.close();
    await system?.close();
  });

  /** Messages of SC_EVENTS a gateway consumer has not acked yet. */
  async function unacked(consumer: string): Promise<number> {
    const info = await (await jetstreamManager(services)).consumers.info(EVENTS_STREAM, consumer);
    return info.num_pending + info.num_ack_pending;
  }

  /** A device about to enroll: its hello on the enrollment user, and a connection once enrolled. */
  async function enrollingDevice(deviceId: string) {
    const { creds, inboxPrefix } = await issueEnrollmentUser(system.services.setup);
    const enrolling = await connect({
      servers: system.services.nats.url,
      inboxPrefix,
      ...credsConnectionOptions(creds),
    });
    const key = createUser();
    return {
      async hello() {
        const body = { deviceId, publicKey: key.getPublicKey(), fleet: "spare" };
        const reply = await enrolling.request(helloSubject(deviceId), JSON.stringify(body), {
          timeout: 10_000,
        });
        return reply.json<{ status: string; jwt?: string }>();
      },
      connectWith: (jwt: string) =>
        connect({
          servers: system.services.nats.url,
          reconnect: false,
          ...deviceConnectionOptions(credsText(jwt, key), deviceId),
        }),
      close: () => enrolling.close(),
    };
  }

  /** A device that enrolls as a field device does: hello, pending, approved, hello again. */
  async function enrolledDevice(deviceId: string) {
    const device = await enrollingDevice(deviceId);
    try {
      expect(await device.hello()).toEqual({ status: "pending" });
      await expectStatus(
        system.api(`/v1/devices/${deviceId}/approve`, { method: "POST", json: {} }),
        200,
      );
      // As an agent does: hello again until the approval reached the gateway (over SC_EVENTS).
      const reply = await enrolledReply(() => device.hello());
      const connectDevice = () => device.connectWith(reply.jwt!);
      return { connection: await connectDevice(), connectDevice };
    } finally {
      await device.close();
    }
  }

  /** Hellos until enrolled, as an agent retries while pending. */
  async function enrolledReply(hello: () => Promise<{ status: string; jwt?: string }>) {
    return until("the device enrolled", async () => {
      const reply = await hello();
      return reply.status === "enrolled" ? reply : undefined;
    });
  }

  it("delivers every target once and the revocation, with the gateway killed mid-rollout", async () => {
    const { children } = system.services;
    const ids = system.agents.map((a) => a.spec.deviceId);
    // The gateway has no path into the orchestrator's directory; neither keeps objects on disk.
    expect(system.services.gatewayDataDir).not.toBe(system.services.dataDir);
    // Outside the rollout: a device approved by an operator, whose credentials are then revoked.
    const spare = { spec: "rv-0", device: await enrolledDevice("rv-0") };
    const spareClosed = spare.device.connection.closed();
    const number = await system.postRevision("edge", [BUSYBOX_APP], "v1");
    // Uploaded and posted: in sc_objects, which both services reach over the network.
    expect(existsSync(join(system.services.dataDir, "objects"))).toBe(false);
    expect(existsSync(join(system.services.gatewayDataDir, "objects"))).toBe(false);

    const id = await startRollout(system, {
      revision: { fleet: "edge", number },
      selector: { fleet: "edge" },
      waves: [wave(25), wave(75)],
    });
    // Mid-rollout: the first wave is being updated (its targets came through SC_EVENTS).
    const kv = await new Kvm(jetstream(services)).open(TARGETS_BUCKET);
    await until("a target in sc_targets", async () => {
      for (const device of ids) if ((await kv.get(device))?.operation === "PUT") return true;
      return undefined;
    });
    expect(await children!.gateway.kill()).toBe("killed by SIGKILL");

    // While it is down: a revocation is committed and relayed, and waits in SC_EVENTS.
    await expectStatus(
      system.api(`/v1/devices/${spare.spec}/revoke`, {
        method: "POST",
        json: { reason: "e2e: key leaked" },
      }),
      200,
    );
    await until("the revocation waiting in SC_EVENTS", async () =>
      (await unacked(CREDENTIAL_REVOKER)) > 0 ? true : undefined,
    );

    await children!.gateway.start();
    await until("the revocation acked by the restarted gateway", async () =>
      (await unacked(CREDENTIAL_REVOKER)) === 0 ? true : undefined,
    );
    await spareClosed;
    await expect(spare.device.connectDevice()).rejects.toThrow(/authorization/i);

    await allOnRevision(system, ids, number, 90_000);
    await rolloutReaches(system, id, "completed", 90_000);
    await until("the targets consumer caught up", async () =>
      (await unacked(TARGETS_CONSUMER)) === 0 ? true : undefined,
    );
    // Each device's key holds the one target the orchestrator assigned it, at its seq.
    const { rows } = await system.pool.query<{ device: string; seq: number }>(
      `SELECT split_part(stream_id, ':', 2) AS device, (data ->> 'seq')::int AS seq FROM events
        WHERE type = 'TargetAssigned'`,
    );
    expect(rows).toHaveLength(devices);
    for (const { device, seq } of rows) {
      const entry = await kv.get(device);
      expect(entry?.json<{ seq: number; revision: string }>()).toMatchObject({
        seq,
        revision: `edge#${number}`,
      });
    }
  });

  it("loses no report across the gateway's SIGKILL: each journaled report is exactly one event", async () => {
    // The reports in flight in the killed gateway come back after the status consumer's ack wait,
    // behind the devices' later reports: each must still become its one event.
    expect(await fleetReportProblems(system)).toEqual([]);
    const gatewayUrl = system.services.gateway.url;
    expect(await gatewayReportLosses(gatewayUrl)).toEqual({});
    console.log(
      JSON.stringify({
        scenario: "events-over-nats",
        heldForGap: await gatewayHeldForGap(gatewayUrl),
        drops: await gatewayDrops(gatewayUrl),
      }),
    );
  });

  it("cuts a revoked device off before the operator's revoke is answered (request/reply to a gateway)", async () => {
    const device = await enrolledDevice("rv-1");
    const closed = device.connection.closed();
    await expectStatus(
      system.api("/v1/devices/rv-1/revoke", { method: "POST", json: { reason: "e2e: at once" } }),
      200,
    );
    // No waiting: the gateway answered the orchestrator's request once the servers had the JWT.
    await expect(device.connectDevice()).rejects.toThrow(/authorization/i);
    await closed;
  });

  it("an approval given while the gateway is down reaches the device from its view, kept over SC_EVENTS", async () => {
    const { children } = system.services;
    const [devicesView] = VIEW_CONSUMERS;
    const device = await enrollingDevice("ap-0");
    try {
      expect(await device.hello()).toEqual({ status: "pending" });
      expect(await children!.gateway.kill()).toBe("killed by SIGKILL");
      await expectStatus(system.api("/v1/devices/ap-0/approve", { method: "POST", json: {} }), 200);
      await until("the approval waiting in SC_EVENTS", async () =>
        (await unacked(devicesView.name)) > 0 ? true : undefined,
      );

      await children!.gateway.start();
      await until("the approval acked by the restarted gateway", async () =>
        (await unacked(devicesView.name)) === 0 ? true : undefined,
      );
      // The gateway's own table has it: what its hello decides with.
      const { rows } = await system.pool.query<{ type: string }>(
        `SELECT type FROM gateway_view_events WHERE stream_id = 'device:ap-0'
          ORDER BY stream_version`,
      );
      expect(rows.map((r) => r.type)).toEqual(["DeviceEnrolled", "DeviceApproved"]);
      const reply = await device.hello();
      expect(reply.status).toBe("enrolled");
      await (await device.connectWith(reply.jwt!)).close();
    } finally {
      await device.close();
    }
  });
});
