import { createHash } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { type Browser, launchBrowser } from "./console-browser.test-helper.js";
import {
  allOnRevision,
  BUSYBOX_APP,
  expectStatus,
  type FleetSystem,
  type Json,
  lxcs,
  rolloutReaches,
  sims,
  startFleet,
  startRollout,
  until,
} from "./fleet.test-helper.js";

const wave = { size: { percent: 100 }, minSample: 1, soakSeconds: 0, maxFailures: { count: 0 } };
const NIGHTLY = { name: "nightly", cron: "0 2 * * *", durationMinutes: 60, timeZone: "UTC" };
/** The window fleet's agents read their clock shifted so that 02:00 UTC comes a few seconds in. */
let shiftMs = 0;
const shiftedClock = () => new Date(Date.now() + shiftMs);

/** POSTs to a container's control socket as an app inside it does (`/run/statecast/control.sock`). */
function postControl(controlDir: string, path: string, body: unknown): Promise<number> {
  // A deep store is bound through the agent's short alias (see control-server.ts).
  const direct = join(controlDir, "control.sock");
  const alias = join(
    tmpdir(),
    `sc-ctl-${createHash("sha256").update(controlDir).digest("hex").slice(0, 16)}`,
    "control.sock",
  );
  const socketPath = Buffer.byteLength(direct) <= 107 ? direct : alias;
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: "POST" }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

function nextTwoAm(from: number): number {
  const d = new Date(from);
  const twoAm = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 2);
  return twoAm > from ? twoAm : twoAm + 24 * 3600_000;
}

describe("when devices update: a schedule and a maintenance window over real services", () => {
  let system: FleetSystem;
  let browser: Browser;
  const windowFleet = [...sims("win", 2, "w"), ...lxcs("win", 1)].map((spec) => ({
    ...spec,
    clock: shiftedClock,
  }));

  beforeAll(async () => {
    [system, browser] = await Promise.all([
      startFleet([
        ...sims("sched", 3, "s"),
        ...windowFleet,
        ...sims("lock", 2, "k"),
        ...sims("consent", 2, "q"),
      ]),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  /** Host side of the control dir of the device's (first) app container: /run/statecast inside. */
  const appControlDir = async (deviceId: string) => {
    const device = system.agents.find((a) => a.spec.deviceId === deviceId);
    const [app] = (await device?.agent.config.runtime.list()) ?? [];
    return device?.agent.store.containerDirs(String(app)).control ?? "";
  };
  /** Posts v1 of `fleet` and rolls it out to completion; returns its number. */
  const firstRevision = async (fleet: string) => {
    const v1 = await system.postRevision(fleet, [BUSYBOX_APP], "v1");
    const first = await startRollout(system, {
      revision: { fleet, number: v1 },
      selector: { fleet },
      waves: [wave],
    });
    await rolloutReaches(system, first, "completed", 30_000);
    return v1;
  };
  const why = async (id: string, deviceId: string) =>
    (await system.api(`/v1/rollouts/${id}/devices/${deviceId}/why`)).body;
  /** A browser tab signed in to the web console (as a viewer), opened once. */
  let consolePage: Promise<Page> | undefined;
  const signedIn = () => {
    consolePage ??= (async () => {
      const { secret } = await expectStatus(
        system.api("/v1/tokens", { method: "POST", json: { name: "viewer", role: "viewer" } }),
        201,
      );
      const page = await browser.newPage();
      await page.goto(`${system.services.orchestrator.url}/console/`);
      await page.getByLabel("API token").fill(String(secret));
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("button", { name: "Sign out" }).waitFor();
      return page;
    })();
    return consolePage;
  };
  /** The console's device page: its why section once it names `reason`. */
  const consoleWhy = async (rolloutId: string, deviceId: string, reason: string) => {
    const page = await signedIn();
    await page.goto(
      `${system.services.orchestrator.url}/console/devices/${deviceId}?rollout=${rolloutId}`,
    );
    await page.getByTestId("why").getByText(reason).waitFor({ timeout: 5_000 });
    const text = async (testId: string) => (await page.getByTestId(testId).textContent()) ?? "";
    expect(browser.log.errors).toEqual([]);
    // Rendered with the reason, in the same section; a lock has no end, so no until.
    const untilTime = page.getByTestId("why-until").locator("time");
    return {
      detail: await text("why-detail"),
      until: (await untilTime.count()) ? await untilTime.getAttribute("datetime") : null,
      waiting: await text("why-waiting"),
    };
  };
  const deviceEvents = async (deviceId: string, type: string) =>
    ((await system.api(`/v1/events?device=${deviceId}&limit=1000`)).body.items as Json[]).filter(
      (e) => e.type === type,
    );

  it("a rollout scheduled to start in the future assigns nothing before then, and starts then", async () => {
    const revision = await system.postRevision("sched", [BUSYBOX_APP], "v1");
    const startAt = new Date(Date.now() + 3000).toISOString();
    const id = await startRollout(system, {
      revision: { fleet: "sched", number: revision },
      selector: { fleet: "sched" },
      waves: [wave],
      schedule: { startAt },
    });
    const before = (await system.api(`/v1/rollouts/${id}`)).body;
    expect((before.waves as Json[])[0]).toMatchObject({
      status: "pending",
      deferredUntil: startAt,
    });
    expect(await why(id, "s-0000")).toMatchObject({ reason: "scheduled", until: startAt });
    expect(await deviceEvents("s-0000", "TargetAssigned")).toEqual([]);

    await rolloutReaches(system, id, "completed", 30_000);
    const [assigned] = await deviceEvents("s-0000", "TargetAssigned");
    expect(Date.parse(String(assigned?.recordedAt))).toBeGreaterThanOrEqual(Date.parse(startAt));
  });

  it("a device outside its window downloads, waits visibly (why names the window and until when), and installs when it opens", async () => {
    await until("window policy", async () => {
      const res = await system.api("/v1/fleets/win/maintenance-windows", {
        method: "PUT",
        json: { windows: [NIGHTLY] },
      });
      return res.status === 200 ? res : undefined;
    });
    const revision = await system.postRevision("win", [BUSYBOX_APP], "v1");
    await signedIn(); // before the clock starts: the window opens 12 s in
    const opensIn = 12_000;
    const opens = nextTwoAm(Date.now());
    shiftMs = opens - opensIn - Date.now(); // agent time: 12 s before 02:00 UTC
    const id = await startRollout(system, {
      revision: { fleet: "win", number: revision },
      selector: { fleet: "win" },
      waves: [wave],
    });
    const until02 = new Date(opens).toISOString();
    for (const deviceId of ["w-0000", "w-0001", "lxc-0"]) {
      const waiting = await until(`${deviceId} waiting for its window`, async () => {
        const body = await why(id, deviceId);
        return body.reason === "waiting_for_window" ? body : undefined;
      });
      expect(waiting).toMatchObject({
        detail: "downloaded; maintenance window nightly is closed",
        until: until02,
      });
    }
    // The web console's device page names the window and when it opens, as waiting, not failed.
    expect(await consoleWhy(id, "lxc-0", "waiting_for_window")).toEqual({
      detail: "downloaded; maintenance window nightly is closed",
      until: until02,
      waiting: "Waiting by design, not failed.",
    });
    const progress = await deviceEvents("lxc-0", "UpdateProgressReported");
    expect(progress.map((e) => (e.data as Json).status)).not.toContain("INPROGRESS");
    expect(progress.at(-1)?.data).toMatchObject({
      status: "DOWNLOADING",
      reason: "waiting_for_window",
    });
    const during = (await system.api(`/v1/rollouts/${id}`)).body;
    expect((during.waves as (Json & { gate: Json })[])[0]?.gate).toMatchObject({
      failures: 0,
      finished: 0,
    });

    await rolloutReaches(system, id, "completed", 40_000);
    await allOnRevision(system, ["w-0000", "w-0001", "lxc-0"], revision);
    const lxc = system.agents.find((a) => a.spec.deviceId === "lxc-0");
    expect((await lxc?.agent.config.runtime.list())?.length).toBeGreaterThan(0);
  });

  it("an app's update lock holds its device's install until released; an operator's override proceeds and is audited", async () => {
    const ids = ["k-0000", "k-0001"];
    await firstRevision("lock");
    // Each device's app takes the update lock the way balena apps do: a lock file in its control dir.
    const lockFiles = await Promise.all(
      ids.map(async (deviceId) => {
        const file = join(await appControlDir(deviceId), "updates.lock");
        writeFileSync(file, "sale in progress\n");
        return file;
      }),
    );

    const v2 = await system.postRevision(
      "lock",
      [BUSYBOX_APP, { name: "extra", init: "exec /bin/sleep 1000000" }],
      "v2",
    );
    const id = await startRollout(system, {
      revision: { fleet: "lock", number: v2 },
      selector: { fleet: "lock" },
      waves: [wave],
    });
    for (const deviceId of ids) {
      const held = await until(`${deviceId} held by its app's lock`, async () => {
        const body = await why(id, deviceId);
        return body.reason === "held_by_lock" ? body : undefined;
      });
      expect(String(held.detail)).toMatch(
        /^downloaded; update lock of \S+ held by updates\.lock since /,
      );
      expect(held.heldSince).toBeTypeOf("string");
    }

    // The web console's device page says the same: held by the app's lock, waiting, not failed.
    const shown = await consoleWhy(id, "k-0001", "held_by_lock");
    expect(shown.detail).toMatch(/^downloaded; update lock of \S+ held by updates\.lock since /);
    expect(shown.waiting).toContain("not failed");
    expect(shown.until).toBeNull();

    // The operator overrides one device's lock: it installs, and the audit says who did it.
    const forced = await system.api("/v1/devices/k-0000/install-now", {
      method: "POST",
      json: { reason: "e2e override" },
    });
    expect(forced.status).toBe(200);
    await allOnRevision(system, ["k-0000"], v2);
    const [override] = await deviceEvents("k-0000", "TargetInstallForced");
    expect(override?.data).toMatchObject({ reason: "e2e override" });
    expect(override?.metadata).toMatchObject({ actor: "operator:admin" });
    expect((await why(id, "k-0001")).reason).toBe("held_by_lock");

    // The other app releases its lock: its device installs then.
    rmSync(lockFiles[1] ?? "");
    await rolloutReaches(system, id, "completed", 30_000);
    await allOnRevision(system, ids, v2);
  });

  it("a consenting fleet: an app's skip is counted and shown, an accept installs", async () => {
    const ids = ["q-0000", "q-0001"];
    const v1 = await firstRevision("consent");
    await until("consent policy", async () => {
      const res = await system.api("/v1/fleets/consent/maintenance-windows", {
        method: "PUT",
        json: { windows: [], consent: true },
      });
      return res.status === 200 ? res : undefined;
    });
    const v2 = await system.postRevision(
      "consent",
      [BUSYBOX_APP, { name: "extra", init: "exec /bin/sleep 1000000" }],
      "v2",
    );
    const id = await startRollout(system, {
      revision: { fleet: "consent", number: v2 },
      selector: { fleet: "consent" },
      waves: [{ ...wave, maxFailures: { count: 0 } }],
    });
    for (const deviceId of ids)
      await until(`${deviceId} asked for consent`, async () => {
        const body = await why(id, deviceId);
        return body.reason === "waiting_for_consent" ? body : undefined;
      });
    const answer = async (deviceId: string, body: unknown) =>
      expect(await postControl(await appControlDir(deviceId), "/consent", body)).toBe(200);
    await answer("q-0000", { answer: "skip" });
    await answer("q-0001", { answer: "accept" });

    const done = await rolloutReaches(system, id, "completed", 30_000);
    expect(done.consent).toEqual({ asked: 0, accept: 1, later: 0, skip: 1 });
    expect(await why(id, "q-0000")).toMatchObject({ reason: "consent_skipped" });
    const page = await signedIn(); // the console's rollout page counts the answers too
    await page.goto(`${system.services.orchestrator.url}/console/rollouts/${id}`);
    await page.getByTestId("consent").waitFor({ timeout: 5_000 });
    expect(await page.getByTestId("consent").textContent()).toBe(
      "1 accepted, 1 skipped, 0 later, 0 asked",
    );
    await allOnRevision(system, ["q-0001"], v2);
    await allOnRevision(system, ["q-0000"], v1);
  });
});
