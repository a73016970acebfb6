import type { RunningProcessor } from "@statecast/events";
import {
  ADMIN_SECRET,
  startTestApp,
  type TestApp,
} from "../../../orchestrator/src/openapi/test-app.test-helper.js";
import { fleetOf } from "../../../orchestrator/src/rollout/rollout.test-helper.js";
import {
  postSimRevision,
  sim,
} from "../../../orchestrator/src/testing/rollout-sim/device-sim.test-helper.js";
import { type RemoteCli, remoteCli } from "../remote/remote.test-helper.js";

const rev = (number: number) => ({ fleet: "main", number });
let app: TestApp;
let cli: RemoteCli;
let devices: RunningProcessor;

beforeAll(async () => {
  [app, cli] = await Promise.all([startTestApp(), remoteCli()]);
  await postSimRevision(app.store, rev(1));
  await postSimRevision(app.store, rev(2));
  await fleetOf(app, "main", "m", 40, rev(1));
  devices = sim(app.store, { name: "cli-rollout" });
  expect((await cli.sc(["login", app.url, "--token", ADMIN_SECRET])).code).toBe(0);
}, 60_000);

afterAll(async () => {
  await devices?.stop();
  await app?.close();
});

const shape = ["--waves", "10,30,60", "--soak", "1", "--min-sample", "1", "--max-failures", "10"];
const LINE =
  /^rollout [\w.-]+ → main#2: (created|running|paused|completed)( wave \d\/3)?, \d+ device\(s\)( eta \d+s)?( \| w\d (pending|running|passed|failed) \d+\/\d+ ok, \d+ failed(, soaking \d+ \(\d+s left\))?)*$/;

describe("rollout commands against a real orchestrator with simulated devices", () => {
  it("plans, creates, starts and watches a rollout to completion (non-TTY lines), then explains a device", async () => {
    const plan = await cli.scJson<{ devices: number; waves: { devices: unknown[] }[] }>([
      "rollout",
      "plan",
      "--revision",
      "main@2",
      ...shape,
    ]);
    expect(plan.code, plan.err).toBe(0);
    expect(plan.json.waves.map((w) => w.devices.length)).toEqual([4, 12, 24]);
    expect((await cli.sc(["rollout", "plan", "--revision", "main@2", ...shape])).out).toMatch(
      /^40 device\(s\) in 3 wave\(s\)\n {2}wave 1: 4 device\(s\) \(m-\d{4}, m-\d{4}, m-\d{4}, …\)\n/,
    );

    const created = await cli.scJson<{ rolloutId: string; status: string }>([
      "rollout",
      "create",
      "--revision",
      "main@2",
      ...shape,
    ]);
    expect(created.code, created.err).toBe(0);
    expect(created.json.status).toBe("created");
    const id = created.json.rolloutId;
    expect((await cli.sc(["rollout", "start", id, "--reason", "ship it"])).out).toBe(
      `rollout ${id}: running\n`,
    );

    const watched = await cli.sc(["rollout", "watch", id, "--interval", "100"]);
    expect(watched.code, watched.err).toBe(0);
    const lines = watched.out.trimEnd().split("\n");
    for (const line of lines) expect(line).toMatch(LINE);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines[0]).toContain(": running wave ");
    expect(lines.at(-1)).toMatch(
      /: completed wave 3\/3, 40 device\(s\) eta 0s \| w1 passed 4\/4 ok, 0 failed \| w2 passed 12\/12 ok, 0 failed \| w3 passed 24\/24 ok, 0 failed$/,
    );
    // Lines are printed when something changed: never the same line twice in a row.
    expect(lines.every((line, i) => i === 0 || line !== lines[i - 1])).toBe(true);

    const status = await cli.scJson<{ status: string; waves: unknown[] }>([
      "rollout",
      "status",
      id,
    ]);
    expect(status.json).toMatchObject({ status: "completed" });
    expect(status.json.waves).toHaveLength(3);
    const why = await cli.sc(["why", id, "m-0007"]);
    expect(why.out).toMatch(
      /^m-0007 \(wave \d\): updated\n {2}status succeeded since .+, online\n$/,
    );
    const listed = await cli.sc(["rollout", "ls"]);
    expect(listed.out).toMatch(new RegExp(`^${id}\\s+completed\\s+main#2\\s`, "m"));
  });

  it("draws per-wave bars in place on a terminal, and the watch exits 1 when a rollout is aborted", async () => {
    const created = await cli.scJson<{ rolloutId: string }>([
      "rollout",
      "create",
      "--revision",
      "main@1",
      ...shape,
    ]);
    expect(created.code, created.err).toBe(0);
    const id = created.json.rolloutId;
    expect((await cli.sc(["rollout", "start", id])).code).toBe(0);
    const aborted = await cli.sc(["rollout", "abort", id, "--reason", "changed my mind"]);
    expect(aborted.err).toBe("");
    expect(aborted.out).toBe(`rollout ${id}: aborted\n`);
    const watched = await cli.sc(["rollout", "watch", id], undefined, { isTTY: true });
    expect(watched.code).toBe(1);
    expect(watched.err).toBe(`statecast: rollout ${id} ended aborted\n`);
    const ERASE = "\x1b[2K";
    const [first = "", second = ""] = watched.out.split("\n");
    expect(first.startsWith(`${ERASE}rollout ${id} → main#1: aborted`)).toBe(true);
    expect(second.startsWith(ERASE)).toBe(true);
    expect(second.slice(ERASE.length)).toMatch(
      /^ {2}wave 1 \[[#-]{24}\] \w+ \d+\/\d+ ok, \d+ failed/,
    );
  });

  it("refuses bad definitions and unknown rollouts readably", async () => {
    const bad = await cli.sc(["rollout", "create", "--revision", "main"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--revision "main": expected FLEET#NUMBER');
    const noWaves = await cli.sc(["rollout", "plan", "--revision", "main@2", "--soak", "5"]);
    expect(noWaves.code).toBe(2);
    const unknown = await cli.sc(["rollout", "status", "nope"]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/^statecast: GET \/v1\/rollouts\/nope: 404 /);
  });
});
