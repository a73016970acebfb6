import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { FsObjectStore, writeBundle } from "@statecast/state";
import { installBundle } from "../../apps/device-agent/src/install/install-bundle.js";
import {
  allOnRevision,
  BUSYBOX_APP,
  type FleetSystem,
  type Json,
  rolloutReaches,
  sims,
  startFleet,
  startRollout,
  until,
} from "./fleet.test-helper.js";

const BASE = { name: "base", init: "exec /bin/sleep 1000000" };
type Event = Json & { type: string; data: Json; metadata: Json };

/**
 * An offline install (`statecast-agent install BUNDLE --revision`) journals its reports; when the
 * device reconnects they reach the audit as BundleInstallReported, and the registry shows the
 * bundle's revision as what the device runs — drifted from its target, which is left alone.
 */
describe("offline install receipts", () => {
  let system: FleetSystem;

  beforeAll(async () => {
    system = await startFleet(sims("field", 2, "o"));
  });
  afterAll(async () => {
    await system?.close();
  });

  it("reach the audit on reconnect, and the registry shows the bundle's revision", async () => {
    const ids = system.agents.map((a) => a.spec.deviceId);
    const first = await system.postRevision("field", [BASE], "v1");
    const id = await startRollout(system, {
      revision: { fleet: "field", number: first },
      selector: { fleet: "field" },
      waves: [{ size: { percent: 100 }, minSample: 1, soakSeconds: 0, maxFailures: { count: 0 } }],
    });
    await rolloutReaches(system, id, "completed");
    await allOnRevision(system, ids, first);

    // v2 exists on the server, but reaches the device on a USB stick.
    const second = await system.postRevision("field", [BASE, BUSYBOX_APP], "v2");
    const { state } = system.release.build([BASE, BUSYBOX_APP], "v2");
    const store = new FsObjectStore(join(system.services.dir, "bundle-objects"));
    for (const [sha, body] of system.release.objects) await store.put(sha, Readable.from([body]));
    const bundlePath = join(system.services.dir, "v2.tar");
    await writeBundle(createWriteStream(bundlePath), { state, store });

    const device = system.agents[0]!;
    const deviceId = device.spec.deviceId;
    await device.disconnect();
    device.newAgent();
    await device.agent.start();
    const installed = await installBundle(device.agent, bundlePath, `field#${second}`);
    expect(installed).toMatchObject({ status: "DONE", via: "bundle" });
    const journaled = (await device.agent.journal.all()).filter((r) => r.via === "bundle");
    await device.agent.stop();

    device.newAgent();
    await device.connect(system.services.nats.url);
    const receipts = await until("the bundle's reports in the audit", async () => {
      const { body } = await system.api(`/v1/events?device=${deviceId}&limit=1000`);
      const found = (body.items as Event[]).filter((e) => e.type === "BundleInstallReported");
      return found.length === journaled.length ? found : undefined;
    });
    expect(receipts.map((e) => e.data.status)).toEqual(journaled.map((r) => r.status));
    expect(receipts.at(-1)?.data).toMatchObject({
      revision: { fleet: "field", number: second },
      status: "DONE",
    });
    expect(receipts.every((e) => e.metadata.actor === `device:${deviceId}`)).toBe(true);

    const { body } = await system.api(`/v1/devices/${deviceId}`);
    expect(body).toMatchObject({
      currentRevision: { fleet: "field", number: second },
      installedVia: "bundle",
      drifted: true,
      target: { revision: { fleet: "field", number: first } },
    });
    const other = await system.api(`/v1/devices/${ids[1]}`);
    expect(other.body).toMatchObject({ drifted: false, installedVia: "target" });
  }, 120_000);
});
