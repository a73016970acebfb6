import { join } from "node:path";
import { startTestNats, type TestNats } from "@statecast/testing";
import type { StatusReport } from "../report/report.js";
import { SimRuntime } from "../runtime/sim-runtime.js";
import { INIT } from "../testing/fixtures.test-helper.js";
import { GatewaySide } from "../testing/gateway-side.test-helper.js";
import { DeviceUnderTest } from "../testing/harness.test-helper.js";
import { connectAgent } from "./connected-agent.js";

/**
 * Issue 16: every object request is a message each way and a read at the gateway, times the
 * fleet. A new device (nothing in its store) asks each object's info once and then its chunks.
 */
describe("what a new device asks the gateway for its first revision", () => {
  let nats: TestNats;
  let gateway: GatewaySide;
  let device: DeviceUnderTest;
  let handle: Awaited<ReturnType<typeof connectAgent>> | undefined;

  beforeAll(async () => {
    nats = await startTestNats();
    gateway = await GatewaySide.open(nats.url);
    device = new DeviceUnderTest({}, (d) => new SimRuntime(join(d, "sim")));
    await device.agent.start();
    handle = await connectAgent(device.agent, { natsUrl: nats.url });
  });
  afterAll(async () => {
    await handle?.close();
    await gateway?.close();
    await device?.dispose();
    await nats?.dispose();
  });

  it("one info request per object, then its chunks: no delta offers, no second info", async () => {
    const asked: { sha: string; seq?: number; deltas?: boolean }[] = [];
    // A plain subscriber sees every request beside the responder's queue group.
    gateway.nc.subscribe(`sc.dev.${device.deviceId}.object`, {
      callback: (_error, msg) => {
        asked.push(msg.json());
      },
    });
    const { state, digest } = device.states.build([
      { name: "net", group: "root", init: INIT.started },
    ]);
    await gateway.putObjects(device.states.objectsDir);
    const target = device.target(state, digest);
    const done = new Promise<StatusReport>((resolve) =>
      device.agent.journal.onReport((r) => {
        if (r.revision === target.revision && ["DONE", "WONTGO", "ERROR"].includes(r.status))
          resolve(r);
      }),
    );
    await gateway.putTarget(target);
    expect(await done).toMatchObject({ status: "DONE" });

    const objects = [...new Set(asked.map((r) => r.sha))];
    expect(objects.length).toBeGreaterThan(0);
    expect(asked.filter((r) => r.deltas)).toEqual([]);
    for (const sha of objects)
      expect(asked.filter((r) => r.sha === sha && r.seq === undefined)).toHaveLength(1);
  });
});
