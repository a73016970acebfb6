import { join } from "node:path";
import { startTestNats, type TestNats } from "@statecast/testing";
import type { StatusReport } from "../report/report.js";
import { SimRuntime } from "../runtime/sim-runtime.js";
import { INIT } from "../testing/fixtures.test-helper.js";
import { GatewaySide } from "../testing/gateway-side.test-helper.js";
import { DeviceUnderTest } from "../testing/harness.test-helper.js";
import { connectAgent } from "./connected-agent.js";

/** Issue 16: the gateway could not read an object now (its reads timed out under a wave). */
describe("an object the gateway cannot read now", () => {
  let nats: TestNats;
  let gateway: GatewaySide;
  let device: DeviceUnderTest;
  let handle: Awaited<ReturnType<typeof connectAgent>> | undefined;

  beforeEach(async () => {
    nats = await startTestNats();
    gateway = await GatewaySide.open(nats.url);
    device = new DeviceUnderTest({}, (d) => new SimRuntime(join(d, "sim")));
    await device.agent.start();
    handle = await connectAgent(device.agent, { natsUrl: nats.url });
  });
  afterEach(async () => {
    await handle?.close();
    await gateway?.close();
    await device?.dispose();
    await nats?.dispose();
  });

  const final = (revision: string) =>
    new Promise<StatusReport>((resolve) =>
      device.agent.journal.onReport((r) => {
        if (r.revision === revision && ["DONE", "UPDATED", "WONTGO", "ERROR"].includes(r.status))
          resolve(r);
      }),
    );

  it("is asked for again with backoff, reported, and the update completes", async () => {
    const { state, digest } = device.states.build([
      { name: "net", group: "root", init: INIT.started },
    ]);
    await gateway.putObjects(device.states.objectsDir);
    gateway.failChunkReads = 3;
    const target = device.target(state, digest);
    const done = final(target.revision);
    await gateway.putTarget(target);

    expect(await done).toMatchObject({ status: "DONE" });
    expect(gateway.failChunkReads).toBe(0);
    const retries = (await device.agent.journal.all()).filter(
      (r) => r.status === "DOWNLOADING" && /object unavailable; asking again/.test(r.message),
    );
    // Three objects retried at once: one report (at most one per 5 s), every retry logged.
    expect(retries).toHaveLength(1);
    expect(retries[0]?.message).toMatch(/attempt 1 of 20, next in \d+ ms/);
    expect(await device.statuses(target.revision)).not.toContain("WONTGO:object_missing");
  });

  it("still ends the update at once when the object is not there at all", async () => {
    const { state, digest } = device.states.build([
      { name: "net", group: "root", init: INIT.started },
    ]);
    const rootfs = state["net/root.tar"] as string;
    await gateway.putObjects(device.states.objectsDir);
    await gateway.objects.delete(rootfs);
    const target = device.target(state, digest);
    const done = final(target.revision);
    const startedAt = Date.now();
    await gateway.putTarget(target);

    const report = await done;
    expect(report).toMatchObject({ status: "WONTGO", reason: "object_missing" });
    expect(report.message).toMatch(/is not in sc_objects/);
    expect(Date.now() - startedAt).toBeLessThan(5_000); // no backoff: nothing to wait for
    const retries = (await device.agent.journal.all()).filter((r) =>
      /asking again|resuming/.test(r.message),
    );
    expect(retries).toEqual([]);
  });
});
