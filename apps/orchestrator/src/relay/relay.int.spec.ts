import { randomUUID } from "node:crypto";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { deviceStreamId, EVENTS_STREAM } from "@statecast/events";
import { startTestApp, type TestApp } from "../openapi/test-app.test-helper.js";

describe("the orchestrator's relay", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it("publishes each committed event to SC_EVENTS under its subject, once", async () => {
    const deviceId = `relay-${randomUUID().slice(0, 8)}`;
    const eventId = randomUUID();
    await app.store.append(
      deviceStreamId(deviceId),
      [
        {
          eventId,
          type: "DeviceTagsChanged",
          data: { tags: { site: "lab" } },
          metadata: {
            correlationId: randomUUID(),
            causationId: randomUUID(),
            actor: "operator:test",
            now: new Date().toISOString(),
          },
        },
      ],
      { expectedVersion: "any" },
    );
    const nc = await connect({ servers: app.natsUrl });
    try {
      const jsm = await jetstreamManager(nc);
      const subject = `sc.evt.device.${deviceId}.DeviceTagsChanged`;
      const deadline = Date.now() + 15_000;
      let found = 0;
      while (Date.now() < deadline) {
        const info = await jsm.streams.info(EVENTS_STREAM, { subjects_filter: subject });
        found = Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0);
        if (found > 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(found).toBe(1);
      const message = await jsm.streams.getMessage(EVENTS_STREAM, { last_by_subj: subject });
      expect(message?.header?.get("Nats-Msg-Id")).toBe(eventId);
    } finally {
      await nc.close();
    }
  });
});
