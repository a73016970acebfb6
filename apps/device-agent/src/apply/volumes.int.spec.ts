import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DirObjectSource } from "../fetch/dir-source.js";
import { INIT, type PartFixture } from "../testing/fixtures.test-helper.js";
import { DeviceUnderTest } from "../testing/harness.test-helper.js";

const root: PartFixture = { name: "net", group: "root", init: INIT.started };

/** Records what it sees in its permanent volume, then probes its config file and boot volume. */
const init = [
  "echo run >> /data/runs",
  "cat /etc/app.conf >> /data/configs",
  "(cat /etc/app.json; echo) >> /data/jsons",
  "(echo hack > /etc/app.conf) 2>/dev/null && echo writable >> /data/ro || echo readonly >> /data/ro",
  "ls /cache | wc -l >> /data/cache-entries",
  "echo x > /cache/marker",
  INIT.started,
].join("\n");

const web = (config: string): PartFixture => ({
  name: "web",
  group: "app",
  init,
  rootKind: "squashfs",
  restartPolicy: "container",
  run: {
    storage: {
      "docker--data": { persistence: "permanent" },
      "docker--cache": { persistence: "boot" },
      "lxc-overlay": { persistence: "boot" },
    },
  },
  lxc: [
    "lxc.mount.entry = /volumes/web/docker--data data none bind,rw,create=dir 0 0",
    "lxc.mount.entry = /volumes/web/docker--cache cache none bind,rw,create=dir 0 0",
    "lxc.mount.entry = /volumes/os/docker--pvrun-dbus var/run/dbus none bind,rw,create=dir 0 0",
  ],
  config: { "etc/app.conf": `${config}\n` },
  configJson: { "etc/app.json": { version: config, retries: 2 } },
});

/** Pantavisor's storage volumes and `_config/<part>/` overlay on real LXC. */
describe("volumes and _config injection", () => {
  let device: DeviceUnderTest;
  afterEach(() => device.dispose());

  it("mounts _config files read-only and keeps permanent volumes across an update", async () => {
    device = new DeviceUnderTest();
    await device.agent.start();
    const source = new DirObjectSource(device.states.objectsDir);
    const data = join(device.agent.store.volumesDir, "web", "docker--data");
    const read = (file: string) => readFileSync(join(data, file), "utf8").trim().split("\n");
    const apply = async (config: string) => {
      const { state, digest } = device.states.build([root, web(config)]);
      return device.agent.applyTarget(device.target(state, digest), source);
    };
    const webName = () =>
      device.agent.committedRevision!.parts.find((p) => p.name === "web")!.containerName;

    expect((await apply("v1")).status).toBe("DONE");
    const first = webName();
    expect(read("runs")).toEqual(["run"]);
    expect(read("configs")).toEqual(["v1"]);
    // An inline JSON _config file (pvr writes them so) is its canonical text.
    expect(read("jsons")).toEqual(['{"retries":2,"version":"v1"}']);
    expect(read("ro")).toEqual(["readonly"]);
    const rendered = readFileSync(
      join(device.agent.store.trailDir(device.agent.committedRevision!.id), "lxc", "web.conf"),
      "utf8",
    );
    expect(rendered).toContain(`lxc.mount.entry = ${data} data none bind,rw,create=dir 0 0`);
    // Its own copy in the trail, never the store object every revision shares.
    expect(rendered).toMatch(
      /trails\/[0-9a-f]{64}\/config\/web\/etc\/app.conf etc\/app.conf none bind,ro,create=file/,
    );
    expect(rendered).not.toContain("/volumes/os/");

    // A changed config file changes the part: a new container, UPDATED, the same permanent data.
    expect((await apply("v2")).status).toBe("UPDATED");
    expect(webName()).not.toBe(first);
    expect(read("runs")).toEqual(["run", "run"]);
    expect(read("configs")).toEqual(["v1", "v2"]);
    expect(read("jsons")).toEqual(['{"retries":2,"version":"v1"}', '{"retries":2,"version":"v2"}']);
    expect(read("ro")).toEqual(["readonly", "readonly"]);
    // The boot volume starts empty with each container; the old container's is gone with it.
    expect(read("cache-entries")).toEqual(["0", "0"]);
    expect(existsSync(device.agent.store.containerDirs(first).root)).toBe(false);
    expect(
      readFileSync(
        join(
          device.agent.store.volumeDir("web", webName(), {
            name: "docker--cache",
            persistence: "boot",
          }),
          "marker",
        ),
        "utf8",
      ),
    ).toBe("x\n");
  });

  it("refuses an unsafe _config path or an unknown persistence (WONTGO invalid_state)", async () => {
    device = new DeviceUnderTest();
    await device.agent.start();
    const source = new DirObjectSource(device.states.objectsDir);
    for (const [part, message] of [
      [
        { ...web("v1"), config: { "etc/../../x": "x" } },
        /_config\/web\/etc\/\.\.\/\.\.\/x: unsafe key/,
      ],
      [
        { ...web("v1"), run: { storage: { d: { persistence: "forever" } } } },
        /"storage\.d\.persistence" must be one of .*, got "forever"/,
      ],
    ] as const) {
      const { state, digest } = device.states.build([root, part]);
      const report = await device.agent.applyTarget(device.target(state, digest), source);
      expect(report).toMatchObject({ status: "WONTGO", reason: "invalid_state" });
      expect(report.message).toMatch(message);
    }
    expect(await device.runtime.list()).toEqual([]);
  });
});
