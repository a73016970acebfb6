import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DirObjectSource } from "../fetch/dir-source.js";
import { INIT, type PartFixture } from "../testing/fixtures.test-helper.js";
import { DeviceUnderTest } from "../testing/harness.test-helper.js";
import { LOG_RING_BYTES } from "./log-ring.js";

const root: PartFixture = { name: "net", group: "root", init: INIT.started };
const chatty: PartFixture = {
  name: "app",
  group: "app",
  restartPolicy: "container",
  // An init's stdio is /dev/null under `lxc-start -d`: what it logs goes to /dev/console.
  init: 'exec >/dev/console 2>&1\necho "app: hello from the console"\necho "app: to stderr" >&2\nexec /bin/sleep 1000000',
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The device keeps its agent's log and each container's console output, bounded, on disk. */
describe("device logs on real LXC", () => {
  let device: DeviceUnderTest;
  afterEach(() => device.dispose());

  it("serves a part's console output and the agent's own log", async () => {
    device = new DeviceUnderTest();
    await device.agent.start();
    const { state, digest } = device.states.build([root, chatty]);
    const report = await device.agent.applyTarget(
      device.target(state, digest),
      new DirObjectSource(device.states.objectsDir),
    );
    expect(report.status).toBe("DONE");
    let text = "";
    for (let i = 0; i < 25 && !text.includes("stderr"); i++) {
      text = (await device.agent.logs.read({ part: "app" })).text;
      await sleep(200);
    }
    expect(text).toContain("app: hello from the console");
    expect(text).toContain("app: to stderr");
    const agent = await device.agent.logs.read({ part: "agent" });
    expect(agent.text).toMatch(/"msg":"booted"/);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await device.agent.logs.read({ part: "agent", since: future })).text).toBe("");
    expect((await device.agent.logs.read({ part: "nosuchpart" })).text).toBe("");
  }, 60_000);

  it("bounds the agent's ring: a live file and one rotated file, each within the cap", async () => {
    device = new DeviceUnderTest();
    const line = "x".repeat(1000);
    for (let i = 0; i < 1000; i++) device.agent.log.info("noise", { i, line });
    const dir = join(device.storeDir, "logs");
    expect(readdirSync(dir).sort()).toEqual(["agent.log", "agent.log.1"]);
    const { text } = await device.agent.logs.read({ part: "agent", maxBytes: 10 * LOG_RING_BYTES });
    expect(text.length).toBeLessThanOrEqual(2 * LOG_RING_BYTES);
    expect(text).toContain('"i":999');
  });
});
