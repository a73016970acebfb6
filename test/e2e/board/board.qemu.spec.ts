import { rolloutReaches, startRollout } from "../fleet.test-helper.js";
import {
  APP,
  type BoardRevision,
  BoardSystem,
  DEVICE,
  FLEET,
  seconds,
} from "./board.test-helper.js";
import type { BoardPart } from "./board-states.test-helper.js";

type Json = Record<string, unknown>;
const wave = (size: Json) => ({ size, minSample: 1, soakSeconds: 0, maxFailures: { count: 0 } });
/** A container in the board's network namespace calling the host service through the forward. */
const PROBE: BoardPart = {
  name: "probe",
  network: "none",
  init: "while :; do wget -q -O /dev/null http://10.0.2.100:8080/from-probe; sleep 2; done",
};
const NEW_KERNEL = "linux-image-6.1.0-47-amd64";
/** A part whose status goal is READY and that never says it is ready. */
const NEVER_READY: BoardPart = {
  name: "never-ready",
  init: "exec /bin/sleep 1000000",
  statusGoal: "READY",
};

/**
 * One board, booted once, through a sequence of revisions: factory → new kernel (with a
 * host-network container reaching the host) → panicking kernel (bootloader fallback) → hanging
 * boot (watchdog reset, then fallback) → a container missing its status goal (rollback with a
 * reboot) → power cuts (QMP system_reset) during download and staging (committed anyway) and
 * during the try's TESTING (a failed try).
 */
describe("a QEMU board (OVMF + GRUB + Debian kernel + busybox + LXC) in a real Statecast", () => {
  let s: BoardSystem;
  let factory: BoardRevision;
  let updated: BoardRevision;
  /** The rollout an earlier scenario left paused: aborted before the next one starts. */
  let paused: string | undefined;
  const timings: Record<string, number> = {};

  async function rollout(rev: BoardRevision, waves: Json[], status: string, timeoutMs: number) {
    const id = await begin(rev, waves);
    return { id, done: await reaches(id, status, timeoutMs) };
  }
  /** Starts a rollout of `rev` to the fleet, the paused one of an earlier scenario aborted. */
  async function begin(rev: BoardRevision, waves: Json[]): Promise<string> {
    if (paused) {
      const abort = { method: "POST", json: { reason: "e2e: next scenario" } };
      expect((await s.api(`/v1/rollouts/${paused}/abort`, abort)).status).toBe(200);
      paused = undefined;
    }
    return startRollout(s.system, {
      revision: { fleet: FLEET, number: rev.number },
      selector: { fleet: FLEET },
      waves,
    });
  }
  const reaches = (id: string, status: string, timeoutMs: number) =>
    rolloutReaches(s.system, id, status, timeoutMs).catch(async (e: unknown) => {
      const events = (await s.events(`device=${DEVICE}`)).map((ev) => [ev.type, ev.data]);
      const ingestion = await s.ingestion().catch((err: unknown) => String(err));
      process.stdout.write(`board: rollout ${id} not ${status}; ingestion ${ingestion}\n`);
      throw new Error(
        `${(e as Error).message}\n--- device events ---\n${JSON.stringify(events).slice(-4000)}\n--- serial tail ---\n${s.serial().slice(-5000)}`,
      );
    });
  /** The agent's console log line (JSON) with `msg` about `rev`. */
  const agentLog = (msg: string, rev: BoardRevision) =>
    `"msg":"${msg}","revision":"${FLEET}#${rev.number}"`;
  /** Waits for `text` after `from` in the serial log, then cuts the power; returns the new mark. */
  async function powerCutAt(text: string, from: number, timeoutMs: number): Promise<number> {
    await s.serialShows(text, from, timeoutMs);
    await s.powerCut();
    const mark = s.serial().length;
    process.stdout.write(`board: power cut at ${text}\n`);
    return mark;
  }
  /** The registry and the GRUB env both on `rev`: it is `pv_rev` and no try is pending. */
  const expectCommittedOn = async (rev: BoardRevision) => {
    expect(await s.device()).toMatchObject({
      currentRevision: { fleet: FLEET, number: rev.number },
    });
    const env = await s.grubEnv();
    expect(env.pv_rev).toBe(rev.digest);
    expect(env.pv_try ?? "").toBe("");
  };
  const deviceEvents = async (type: string, rev: BoardRevision) =>
    (await s.events(`device=${DEVICE}`)).filter(
      (e) =>
        e.type === type && ((e.data as Json).revision as Json | undefined)?.number === rev.number,
    );

  beforeAll(async () => {
    let t = Date.now();
    s = await BoardSystem.start();
    timings.servicesStart = seconds(t);
    t = Date.now();
    const bsp = await s.bsp("factory", { cmdline: "statecast.marker=factory" });
    factory = await s.postRevision(bsp, [APP], "factory");
    await s.buildImage("--commit-delay-ms 8000 --group-timeout-ms 20000");
    timings.imageBuild = seconds(t);
    await s.boot();
  }, 240_000);
  afterAll(async () => {
    process.stdout.write(`board timings (s): ${JSON.stringify(timings)}\n`);
    await s?.close();
  });

  it("boots, enrolls with its secret and reports the factory revision", async () => {
    const t0 = Date.now();
    let at = await s.serialShows("statecast: booting rev", 0, 240_000);
    timings.firstBootToGrub = seconds(t0);
    at = await s.serialShows("statecast-init: kernel", at, 240_000);
    timings.firstBootToInit = seconds(t0);
    // The factory install runs node under TCG: 6 minutes at load 17 (five other agents' builds).
    await s.serialShows("agent starting", at, 600_000);
    timings.firstBootToAgent = seconds(t0); // the factory install included
    await s.waitFor(
      "the board to enroll",
      async () => ((await s.api(`/v1/devices/${DEVICE}`)).status === 200 ? true : undefined),
      180_000,
    );
    timings.firstBootToEnrolled = seconds(t0);
    await rollout(factory, [wave({ percent: 100 })], "completed", 120_000);
    timings.firstBootToFactoryDone = seconds(t0);
    expect(await s.device()).toMatchObject({
      currentRevision: { fleet: FLEET, number: factory.number },
    });
    expect(await deviceEvents("UpdateSucceeded", factory)).toHaveLength(1);
    expect(s.serial()).toContain("statecast.marker=factory");
  }, 1_200_000);

  it("updates the kernel: reboots into it, reports it, commits in GRUB; a host-network container reaches the host", async () => {
    const bsp = await s.bsp("v2", { kernelPackage: NEW_KERNEL, cmdline: "statecast.marker=v2" });
    updated = await s.postRevision(bsp, [APP, PROBE], "v2");
    const mark = s.serial().length;
    const t0 = Date.now();
    const id = await begin(updated, [wave({ percent: 100 })]);
    const restart = await s.serialShows("reboot: Restarting system", mark, 300_000);
    const t1 = Date.now();
    const grub = await s.serialShows(`statecast: booting try ${updated.digest}`, restart, 240_000);
    timings.rebootToGrub = seconds(t1);
    const init = await s.serialShows("statecast-init: kernel", grub, 240_000);
    timings.rebootToInit = seconds(t1);
    await s.serialShows("statecast-init: agent starting", init, 240_000);
    timings.rebootToAgent = seconds(t1);
    await reaches(id, "completed", 300_000);
    timings.kernelUpdateRoundTrip = seconds(t0);
    const log = s.serial().slice(mark);
    const tried = log.indexOf(`statecast: booting try ${updated.digest}`);
    expect(tried).toBeGreaterThanOrEqual(0);
    expect(log.slice(tried)).toContain("statecast-init: kernel 6.1.0-47-amd64");
    expect(log.slice(tried)).toContain("statecast.marker=v2");
    expect(await s.device()).toMatchObject({
      currentRevision: { fleet: FLEET, number: updated.number },
    });
    const succeeded = await deviceEvents("UpdateSucceeded", updated);
    expect(succeeded.map((e) => (e.data as Json).status)).toEqual(["DONE"]);
    expect(String(((succeeded[0]?.data ?? {}) as Json).message)).toContain(
      `kernel 6.1.0-47-amd64, booted ${updated.digest}`,
    );
    const env = await s.grubEnv();
    expect(env.pv_rev).toBe(updated.digest);
    expect(env.pv_try ?? "").toBe("");
    await s.waitFor(
      "the probe container to call the host",
      async () => (s.hostRequests.includes("/from-probe") ? true : undefined),
      60_000,
    );
  }, 600_000);

  it("a panicking kernel comes back on the previous one by GRUB alone: ERROR boot_failed, the canary gate pauses, why/audit show the chain", async () => {
    const bsp = await s.bsp("panic", { init: "none", cmdline: "statecast.marker=panic" });
    const panic = await s.postRevision(bsp, [APP, PROBE], "panic");
    const mark = s.serial().length;
    const t0 = Date.now();
    const { id } = await rollout(
      panic,
      [wave({ count: 1 }), wave({ percent: 100 })],
      "paused",
      400_000,
    );
    paused = id;
    timings.panicRoundTrip = seconds(t0);
    const log = s.serial().slice(mark);
    expect(log).toContain(`statecast: booting try ${panic.digest}`);
    expect(log).toContain("Kernel panic");
    expect(log).toContain(`the try of ${panic.digest} did not complete`);
    const failed = await deviceEvents("UpdateFailed", panic);
    expect(failed.map((e) => (e.data as Json).reason)).toEqual(["boot_failed"]);
    expect(String(((failed[0]?.data ?? {}) as Json).message)).toContain(
      `tried revision boards#${panic.number} did not boot`,
    );
    await expectCommittedOn(updated);
    const why = await s.api(`/v1/rollouts/${id}/devices/${DEVICE}/why`);
    expect(why.status).toBe(200);
    expect(JSON.stringify(why.body)).toContain("boot_failed");
    const decisions = (await s.events(`rollout=${id}`)).filter((e) =>
      ["WaveGateFailed", "RolloutPaused"].includes(String(e.type)),
    );
    expect(decisions.map((e) => e.type)).toEqual(["WaveGateFailed", "RolloutPaused"]);
    const causes = new Set((await s.events(`device=${DEVICE}`)).map((e) => e.eventId));
    for (const d of decisions) expect(causes.has((d.metadata as Json).causationId)).toBe(true);
  }, 600_000);

  it("a boot that hangs with no agent is reset by the watchdog and comes back the same way", async () => {
    const bsp = await s.bsp("hang", {
      init: "hang",
      cmdline: "statecast.marker=hang",
      watchdogSeconds: 10,
    });
    const hang = await s.postRevision(bsp, [APP, PROBE], "hang");
    const mark = s.serial().length;
    const t0 = Date.now();
    paused = (await rollout(hang, [wave({ percent: 100 })], "paused", 500_000)).id;
    timings.hangRoundTrip = seconds(t0);
    const log = s.serial().slice(mark);
    expect(log).toContain("this BSP hangs here on purpose");
    expect(log.indexOf(`the try of ${hang.digest} did not complete`)).toBeGreaterThan(
      log.indexOf("hangs here on purpose"),
    );
    const failed = await deviceEvents("UpdateFailed", hang);
    expect(failed.map((e) => (e.data as Json).reason)).toEqual(["boot_failed"]);
    expect(await s.device()).toMatchObject({
      currentRevision: { fleet: FLEET, number: updated.number },
    });
    expect((await s.grubEnv()).pv_rev).toBe(updated.digest);
  }, 600_000);

  it("a kernel that boots but whose container misses its status goal rolls back with a reboot onto the previous kernel", async () => {
    const bsp = await s.bsp("goal", { cmdline: "statecast.marker=goalmiss" });
    const goal = await s.postRevision(bsp, [APP, PROBE, NEVER_READY], "goal-miss");
    const mark = s.serial().length;
    const t0 = Date.now();
    paused = (await rollout(goal, [wave({ percent: 100 })], "paused", 500_000)).id;
    timings.goalMissRoundTrip = seconds(t0);
    const log = s.serial().slice(mark);
    const tried = log.indexOf(`statecast: booting try ${goal.digest}`);
    expect(tried).toBeGreaterThanOrEqual(0);
    expect(log.slice(tried)).toContain("statecast.marker=goalmiss");
    // The ERROR report (which pauses the rollout) goes out before the agent reboots.
    await s.serialShows(`statecast: booting rev ${updated.digest}`, mark + tried, 300_000);
    const failed = await deviceEvents("UpdateFailed", goal);
    expect(failed.map((e) => (e.data as Json).reason)).toEqual(["status_goal_timeout"]);
    const message = String(((failed[0]?.data ?? {}) as Json).message);
    expect(message).toContain("never-ready (READY)");
    expect(message).toContain("with a reboot");
    expect(message).toContain(`booted ${goal.digest}`);
    await expectCommittedOn(updated);
  }, 600_000);

  let cutOver: BoardRevision;
  it("power cuts during the download and during staging end with the revision committed and one DONE", async () => {
    const bsp = await s.bsp("v3", { cmdline: "statecast.marker=v3" });
    // 4 MiB: the agent fetches about 0.5 MiB per second of QEMU CPU, so the download still lasts
    // seconds after its "fetching" line (the cut lands within one 200 ms serial poll of it).
    const payload: BoardPart = { ...APP, name: "payload", payloadMiB: 4 };
    cutOver = await s.postRevision(bsp, [APP, PROBE, payload], "v3");
    const t0 = Date.now();
    const from = s.serial().length;
    const id = await begin(cutOver, [wave({ percent: 100 })]);
    let mark = await powerCutAt(agentLog("fetching", cutOver), from, 300_000);
    mark = await powerCutAt(agentLog("staging the boot files", cutOver), mark, 400_000);
    await reaches(id, "completed", 500_000);
    timings.powerCutsDownloadStaging = seconds(t0);
    const log = s.serial().slice(mark);
    const tried = log.indexOf(`statecast: booting try ${cutOver.digest}`);
    expect(tried).toBeGreaterThanOrEqual(0);
    // The command line, not one regex: a kernel message may split the console line.
    expect(log.slice(tried)).toContain("statecast.marker=v3");
    const succeeded = await deviceEvents("UpdateSucceeded", cutOver);
    expect(succeeded.map((e) => (e.data as Json).status)).toEqual(["DONE"]);
    expect(String(((succeeded[0]?.data ?? {}) as Json).message)).toContain(
      `booted ${cutOver.digest}`,
    );
    expect(await deviceEvents("UpdateFailed", cutOver)).toEqual([]);
    await expectCommittedOn(cutOver);
  }, 900_000);

  it("a power cut during the try's TESTING is a failed try: GRUB boots the previous kernel, ERROR boot_failed", async () => {
    const bsp = await s.bsp("v4", { cmdline: "statecast.marker=v4" });
    const cut = await s.postRevision(bsp, [APP, PROBE], "v4");
    const t0 = Date.now();
    const from = s.serial().length;
    const id = await begin(cut, [wave({ percent: 100 })]);
    const tried = await s.serialShows(`statecast: booting try ${cut.digest}`, from, 300_000);
    const mark = await powerCutAt('"action":"awaitCommitDelay"', tried, 300_000);
    await reaches(id, "paused", 500_000);
    paused = id;
    timings.powerCutTesting = seconds(t0);
    expect(s.serial().slice(mark)).toContain(`the try of ${cut.digest} did not complete`);
    const failed = await deviceEvents("UpdateFailed", cut);
    expect(failed.map((e) => (e.data as Json).reason)).toEqual(["boot_failed"]);
    expect(await deviceEvents("UpdateSucceeded", cut)).toEqual([]);
    await expectCommittedOn(cutOver);
  }, 900_000);
});
