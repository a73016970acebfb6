import { createRegistry, rolloutCatalog } from "@statecast/events";
import { gateCounts } from "./rollout.gate.js";
import { rolloutProgress } from "./rollout.progress.js";
import { aDefinition, aRollout, at, devices, report, TARGET } from "./rollout.test-helper.js";
import { overLongLocks, whyNotUpdated } from "./rollout.why.js";

const registry = createRegistry(rolloutCatalog);
const waitingReport = (deviceId: string, now: string, until: string | null = at(3600)) =>
  ({
    type: "UpdateProgressReported",
    deviceId,
    revision: TARGET,
    status: "DOWNLOADING",
    waiting: { kind: "window", name: "nightly", until },
    now,
  }) as const;

describe("a device waiting for its maintenance window", () => {
  it("is recorded as waiting, named by why with the window and until when, and is neither failed nor finished", () => {
    const r = aRollout({ devices: devices(4) });
    const [a] = r.membersOf(0);
    const device = a ?? "";
    const waited = r.when(waitingReport(device, at(10)));
    expect(waited.events).toEqual([
      {
        type: "RolloutDeviceProgressed",
        data: { deviceId: device, status: "downloading", at: at(10) },
      },
      {
        type: "RolloutDeviceWaiting",
        data: { deviceId: device, kind: "window", name: "nightly", until: at(3600), at: at(10) },
      },
    ]);
    for (const e of waited.events) expect(() => registry.validate(e.type, e.data)).not.toThrow();
    expect(whyNotUpdated(r.state, device)).toMatchObject({
      reason: "waiting_for_window",
      detail: "downloaded; maintenance window nightly is closed",
      until: at(3600),
    });
    const wave = r.state.status === "running" ? r.state.waves[0] : undefined;
    expect(wave && gateCounts(wave)).toMatchObject({ finished: 0, failures: 0 });
    // the same report again is no news
    expect(r.when(waitingReport(device, at(20))).events).toEqual([]);
    // the window opens: it installs, and why forgets the wait
    r.when(report.progress(device, "INPROGRESS", at(3601)));
    expect(whyNotUpdated(r.state, device)?.reason).toBe("installing");
  });

  it("does not time out while it waits: the device timeout restarts from the window's opening", () => {
    const r = aRollout({
      definition: aDefinition({ deviceTimeoutSeconds: 600 }),
      devices: devices(4),
    });
    const device = r.membersOf(0)[0] ?? "";
    r.when(waitingReport(device, at(10)));
    const timer = r.when({ type: "DeviceTimeoutElapsed", deviceId: device, now: at(601) });
    expect(timer.events).toEqual([]);
    expect(timer.commands).toEqual([
      {
        type: "ScheduleTimer",
        at: at(3600 + 600),
        timer: { kind: "device_timeout", rolloutId: "r-1", deviceId: device },
      },
    ]);
  });
});

describe("a device held by an app's update lock", () => {
  it("is recorded as held, why names the lock, its holder and since when; not a failure", () => {
    const r = aRollout({ devices: devices(4) });
    const device = r.membersOf(0)[0] ?? "";
    const held = r.when({
      type: "UpdateProgressReported",
      deviceId: device,
      revision: TARGET,
      status: "DOWNLOADING",
      waiting: { kind: "lock", name: "app/sale-42", until: null, since: at(5) },
      now: at(10),
    });
    expect(held.events.map((e) => e.type)).toEqual([
      "RolloutDeviceProgressed",
      "RolloutDeviceWaiting",
    ]);
    for (const e of held.events) expect(() => registry.validate(e.type, e.data)).not.toThrow();
    expect(whyNotUpdated(r.state, device)).toMatchObject({
      reason: "held_by_lock",
      detail: `downloaded; update lock of app held by sale-42 since ${at(5)}`,
      heldSince: at(5),
    });
    const wave = r.state.status === "running" ? r.state.waves[0] : undefined;
    expect(wave && gateCounts(wave)).toMatchObject({ finished: 0, failures: 0 });
    // held longer than the fleet's limit: reported
    expect(overLongLocks(r.state, at(60), 60)).toEqual([]);
    expect(overLongLocks(r.state, at(70), 60)).toEqual([
      {
        deviceId: device,
        detail: `downloaded; update lock of app held by sale-42 since ${at(5)}`,
        heldSince: at(5),
        seconds: 65,
      },
    ]);
  });
});

describe("a consenting fleet's device", () => {
  const asked = (deviceId: string, answer: "asked" | "accept" | "later", now: string) =>
    ({
      type: "UpdateProgressReported",
      deviceId,
      revision: TARGET,
      status: "DOWNLOADING",
      consent: { answer, ...(answer === "later" ? { askAgainAt: at(900) } : {}) },
      now,
    }) as const;

  it("counts each answer; a skip leaves the wave without failing it, and why names it", () => {
    const r = aRollout({ devices: devices(4) });
    const [a, b] = r.membersOf(0);
    const yes = a ?? "";
    const no = b ?? "";
    r.when(asked(yes, "asked", at(5)));
    expect(whyNotUpdated(r.state, yes)).toMatchObject({ reason: "waiting_for_consent" });
    r.when(asked(yes, "later", at(6)));
    expect(whyNotUpdated(r.state, yes)).toMatchObject({
      reason: "waiting_for_consent",
      until: at(900),
    });
    r.when(asked(yes, "accept", at(901)));
    const skipped = r.when(report.wontgo(no, at(10), "consent_skipped"));
    expect(skipped.events.map((e) => e.type)).toEqual([
      "RolloutDeviceConsented",
      "RolloutTargetsCancelled",
    ]);
    for (const e of r.events) expect(() => registry.validate(e.type, e.data)).not.toThrow();
    expect(whyNotUpdated(r.state, no)).toMatchObject({ reason: "consent_skipped" });
    expect(rolloutProgress(r.state, at(902))?.consent).toEqual({
      asked: 0,
      accept: 1,
      later: 0,
      skip: 1,
    });
    const wave = r.state.status === "running" ? r.state.waves[0] : undefined;
    expect(wave && gateCounts(wave)).toMatchObject({ members: 1, failures: 0 });
    // the wave passes on the device that accepted
    const done = r.when(report.done(yes, at(950)));
    expect(done.events.map((e) => e.type)).toContain("WaveGatePassed");
  });
});
