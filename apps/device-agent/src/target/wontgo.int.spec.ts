import { generateKeyPairSync } from "node:crypto";
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stateDigest } from "@statecast/state";
import { DirObjectSource } from "../fetch/dir-source.js";
import { INIT, type PartFixture, StateBuilder } from "../testing/fixtures.test-helper.js";
import { DeviceUnderTest } from "../testing/harness.test-helper.js";

const root: PartFixture = { name: "net", group: "root", init: INIT.started };
const app: PartFixture = { name: "web", group: "app", init: INIT.ready, statusGoal: "READY" };

describe("targets refused before install (WONTGO), no container touched", () => {
  let device: DeviceUnderTest;
  let source: DirObjectSource;
  let pids: Map<string, number>;

  beforeAll(async () => {
    device = new DeviceUnderTest();
    source = new DirObjectSource(device.states.objectsDir);
    await device.agent.start();
    const first = device.states.build([root, app]);
    expect(
      (await device.agent.applyTarget(device.target(first.state, first.digest), source)).status,
    ).toBe("DONE");
  });
  afterAll(() => device.dispose());

  beforeEach(async () => {
    pids = new Map((await device.running()).map((name) => [name, device.pid(name)]));
  });
  afterEach(async () => {
    const after = new Map((await device.running()).map((name) => [name, device.pid(name)]));
    expect(after).toEqual(pids);
    expect(await device.runtime.list()).toHaveLength(2);
  });

  const update = () => device.states.build([root, { ...app, init: `echo next\n${INIT.ready}` }]);

  it("refuses a target signed by a key the device does not trust as orchestrator", async () => {
    const { state, digest } = update();
    const rogue = generateKeyPairSync("ed25519").privateKey;
    const report = await device.agent.applyTarget(
      device.target(state, digest, { key: rogue }),
      source,
    );
    expect(report).toMatchObject({ status: "WONTGO", reason: "signature_invalid" });
  });

  it("refuses an app part whose LXC config asks for a platform-only key, naming it", async () => {
    const { state, digest } = device.states.build([
      root,
      { ...app, lxc: ["lxc.hook.pre-start = /bin/sh -c 'touch /tmp/owned'"] },
    ]);
    const before = await device.agent.store.readBootEnv();
    const report = await device.agent.applyTarget(device.target(state, digest), source);
    expect(report).toMatchObject({ status: "WONTGO", reason: "invalid_state" });
    expect(report.message).toBe(
      "part web (app scope): lxc.hook.pre-start is for platform parts only",
    );
    expect(await device.agent.store.readBootEnv()).toEqual(before);
  });

  it("refuses a state whose part was changed after signing", async () => {
    const { state } = update();
    const tampered = {
      ...state,
      "web/run.json": { ...(state["web/run.json"] as object), group: "root" },
    };
    const report = await device.agent.applyTarget(
      device.target(tampered, stateDigest(tampered)),
      source,
    );
    expect(report).toMatchObject({ status: "WONTGO", reason: "signature_invalid" });
  });

  it("refuses a state signed by an untrusted key", async () => {
    const stranger = new StateBuilder(join(device.dir, "stranger"));
    const { state, digest } = stranger.build([root, app]);
    const report = await device.agent.applyTarget(
      device.target(state, digest),
      new DirObjectSource(stranger.objectsDir),
    );
    expect(report).toMatchObject({ status: "WONTGO", reason: "untrusted_key" });
  });

  it("refuses a lower seq", async () => {
    const { state, digest } = update();
    const report = await device.agent.applyTarget(device.target(state, digest, { seq: 0 }), source);
    expect(report).toMatchObject({ status: "WONTGO", reason: "stale_revision" });
  });

  it("refuses an expired target", async () => {
    const { state, digest } = update();
    const expiresAt = new Date(Date.now() - 1000).toISOString();
    const report = await device.agent.applyTarget(
      device.target(state, digest, { expiresAt }),
      source,
    );
    expect(report).toMatchObject({ status: "WONTGO", reason: "target_expired" });
  });

  it("refuses an object whose bytes do not match its hash, keeping nothing of it", async () => {
    const { state, digest } = update();
    const id = state["web/root.tar"] as string;
    const corrupt = join(device.dir, "corrupt");
    mkdirSync(corrupt);
    for (const name of readdirSync(device.states.objectsDir))
      copyFileSync(join(device.states.objectsDir, name), join(corrupt, name));
    writeFileSync(join(corrupt, id), "not the rootfs");
    const report = await device.agent.applyTarget(
      device.target(state, digest),
      new DirObjectSource(corrupt),
    );
    expect(report).toMatchObject({ status: "WONTGO", reason: "object_hash_mismatch" });
    expect(await device.agent.store.hasObject(id)).toBe(false);
  });
});
