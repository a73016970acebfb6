import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream } from "@nats-io/jetstream";
import { Objm } from "@nats-io/obj";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { deviceStreamId } from "@statecast/events";
import { credsConnectionOptions } from "@statecast/nats-auth";
import { deltaOffersName, makeDelta } from "@statecast/state";
import { buildImages, type Change } from "../../bench/transfer/images.js";
import {
  allOnRevision,
  BUSYBOX_APP,
  type FleetSystem,
  lxcs,
  rolloutReaches,
  sims,
  startFleet,
  startRollout,
} from "./fleet.test-helper.js";

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const everyone = {
  size: { percent: 100 },
  minSample: 1,
  soakSeconds: 0,
  maxFailures: { count: 0 },
};
type Downloads = { total: number; done: number; needed?: number; delta?: number };

describe("object deltas on the wire: bench images, 2 LXC agents and 6 sim agents", () => {
  let system: FleetSystem;
  let nc: NatsConnection;
  const dir = mkdtempSync(join(tmpdir(), "statecast-e2e-deltas-"));
  let images: Record<"base" | Change, string>;
  const image = (name: "base" | Change) => readFileSync(images[name]);

  beforeAll(async () => {
    // Three ~36 MB squashfs images packed with xz, as `app add` packs them: minutes on a busy
    // machine, hence this hook's own time limit.
    images = await buildImages(dir, ["base", "one_file", "library"]);
    system = await startFleet([...lxcs("edge", 2), ...sims("edge", 6)]);
    nc = await connect({
      servers: system.services.nats.url.split(","),
      ...credsConnectionOptions(system.services.servicesCreds),
    });
  }, 900_000);
  afterAll(async () => {
    await nc?.close();
    await system?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ids = () => system.agents.map((a) => a.spec.deviceId);

  /** Posts a revision carrying `name`'s image at app/data.squashfs and rolls it out to all. */
  async function rollOut(name: "base" | Change): Promise<number> {
    const files = { "app/data.squashfs": image(name) };
    const number = await system.postRevision("edge", [BUSYBOX_APP], "v1", files);
    const id = await startRollout(system, {
      revision: { fleet: "edge", number },
      selector: { fleet: "edge" },
      waves: [everyone],
    });
    await rolloutReaches(system, id, "completed", 240_000);
    await allOnRevision(system, ids(), number);
    return number;
  }

  /** The device's last download counters for revision `number`, from its event history. */
  async function downloadsOf(deviceId: string, number: number): Promise<Downloads> {
    const { events } = await system.store.readStream(deviceStreamId(deviceId));
    const reported = events.filter(
      (e) =>
        e.type === "UpdateProgressReported" &&
        (e.data as { revision: { number: number } }).revision.number === number &&
        (e.data as { downloads?: unknown }).downloads !== undefined,
    );
    const succeeded = events.some(
      (e) => e.type === "UpdateSucceeded" && (e.data as { status: string }).status === "DONE",
    );
    expect(succeeded).toBe(true);
    const last = reported.at(-1);
    if (!last) throw new Error(`${deviceId} reported no download counters for #${number}`);
    return (last.data as { downloads: Downloads }).downloads;
  }

  /** The bench's figure: the bytes of the delta bench:transfer sends for this change. */
  async function benchDeltaBytes(from: "base" | Change, to: Change): Promise<number> {
    const out = join(dir, `${from}-${to}.delta`);
    await makeDelta("xdelta3", images[from], images[to], out, statSync(images[from]).size);
    return statSync(out).size;
  }

  it("a one-file change fetches only the delta on every device, as the bench measures", {
    timeout: 600_000,
  }, async () => {
    await rollOut("base");
    const number = await rollOut("one_file");
    const expected = await benchDeltaBytes("base", "one_file");
    const full = statSync(images.one_file).size;
    expect(expected).toBeLessThan(full * 0.02);
    for (const id of ids()) {
      const d = await downloadsOf(id, number);
      // The new image arrives as its delta; the other objects of the revision are unchanged.
      expect({ id, delta: d.delta, needed: d.needed }).toEqual({
        id,
        delta: expected,
        needed: full,
      });
      expect(d.done).toBe(expected);
    }
  });

  it("a corrupted delta falls back to the full object, and every device still ends DONE", {
    timeout: 400_000,
  }, async () => {
    // Plant a corrupted delta for one_file → library where the gateway would put the real one.
    const real = join(dir, "real.delta");
    await makeDelta(
      "xdelta3",
      images.one_file,
      images.library,
      real,
      statSync(images.one_file).size,
    );
    const corrupted = Buffer.from(readFileSync(real));
    const middle = corrupted.length >> 1;
    corrupted.writeUInt8(corrupted.readUInt8(middle) ^ 0xff, middle);
    const to = sha(image("library"));
    const offer = {
      id: sha(corrupted),
      from: sha(image("one_file")),
      to,
      algo: "xdelta3",
      size: corrupted.length,
    };
    const objects = await new Objm(jetstream(nc)).create("sc_objects");
    await objects.putBlob({ name: offer.id }, corrupted);
    await objects.putBlob(
      { name: deltaOffersName(to) },
      new TextEncoder().encode(JSON.stringify({ to, offers: [offer], tooLarge: [] })),
    );

    const number = await rollOut("library");
    const full = statSync(images.library).size;
    for (const id of ids()) {
      const d = await downloadsOf(id, number);
      expect({ id, delta: d.delta, done: d.done }).toEqual({
        id,
        delta: corrupted.length,
        done: corrupted.length + full,
      });
    }
    for (const lxc of system.agents.filter((a) => a.spec.runtime === "lxc")) {
      const stored = readFileSync(join(lxc.dir, "store", "objects", to));
      expect(sha(stored)).toBe(to);
    }
  });
});
