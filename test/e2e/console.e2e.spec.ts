import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import {
  accessibilityProblems,
  type Browser,
  type InPage,
  launchBrowser,
  tabTo,
} from "./console-browser.test-helper.js";
import {
  allOnRevision,
  expectStatus,
  type FleetSystem,
  type Json,
  rolloutReaches,
  sims,
  startFleet,
  startRollout,
} from "./fleet.test-helper.js";
import type { FleetAgent } from "./fleet-agents.test-helper.js";

const BASE = { name: "base", init: "exec /bin/sleep 1000000" };
const APP = { name: "app", init: "exec /bin/sleep 1000000" };
const docs = (name: string) => fileURLToPath(new URL(`../../docs/${name}`, import.meta.url));
// What the console's "New rollout" form sends by default for fleet `web` (3 waves, pause on failure).
const waves = [
  { size: { percent: 10 }, minSample: 1, soakSeconds: 0, maxFailures: { count: 0 } },
  { size: { percent: 30 }, minSample: 3, soakSeconds: 0, maxFailures: { percent: 5 } },
  { size: { percent: 100 }, minSample: 5, soakSeconds: 0, maxFailures: { percent: 5 } },
];

/** What the page keeps while the test watches wave 1's bar change (in the browser). */
type Watched = {
  seen: Set<string>;
  MutationObserver: new (
    callback: () => void,
  ) => { observe(target: unknown, options: Record<string, boolean>): void };
};

/** A single-page app navigates without loading a document: one navigation entry per real load. */
type Navigations = { performance: { getEntriesByType(type: "navigation"): unknown[] } };

const textOf = async (page: Page, testId: string) =>
  ((await page.getByTestId(testId).textContent()) ?? "").trim();
const statusIs = (page: Page, status: string, timeout = 60_000) =>
  page.waitForFunction(
    (s) =>
      (globalThis as unknown as InPage).document.querySelector("[data-testid=rollout-status]")
        ?.textContent === s,
    status,
    { timeout },
  );

async function signIn(page: Page, url: string, token: string) {
  await page.goto(`${url}/console/`);
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function createToken(system: FleetSystem, name: string, role: string): Promise<string> {
  const body = await expectStatus(
    system.api("/v1/tokens", { method: "POST", json: { name, role } }),
    201,
  );
  return String(body.secret);
}

describe("the web console in a real browser over real services and sim agents", () => {
  let system: FleetSystem;
  let browser: Browser;
  let url: string;
  /** Shared by the later tests: the rollout the operator ran, and an instant before it. */
  const shared = { rolloutId: "", beforeV2: new Date(0), operator: "", wave3Device: "" };
  const agent = (id: string) => system.agents.find((a) => a.spec.deviceId === id) as FleetAgent;

  async function restart(device: FleetAgent, faults: { failStart?: string[] }) {
    await device.disconnect();
    device.newAgent(faults);
    await device.connect(system.services.nats.url);
  }

  beforeAll(async () => {
    [system, browser] = await Promise.all([startFleet(sims("web", 20, "w")), launchBrowser()]);
    url = system.services.orchestrator.url;
    const first = await system.postRevision("web", [BASE], "v1");
    const id = await startRollout(system, {
      revision: { fleet: "web", number: first },
      selector: { fleet: "web" },
      waves: [{ size: { percent: 100 }, minSample: 1, soakSeconds: 0, maxFailures: { count: 0 } }],
    });
    await rolloutReaches(system, id, "completed");
    await allOnRevision(
      system,
      system.agents.map((a) => a.spec.deviceId),
      first,
    );
  });
  afterAll(async () => {
    await browser?.close();
    await system?.close();
  });

  it("tells a bad token apart clearly", async () => {
    browser.log.step = "bad token";
    const page = await browser.newPage();
    await signIn(page, url, "not-a-real-token");
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/token was not accepted/);
    expect(await page.getByRole("navigation", { name: "Sections" }).count()).toBe(0);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.close();
  });

  it("lets an operator plan, start, watch, inspect a failed canary and resume to completion", async () => {
    // The form's instant has whole seconds: a second of margin on both sides of beforeV2 keeps
    // the v1 install before it and the v2 rollout after it, whatever the truncation.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    shared.beforeV2 = new Date();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const second = await system.postRevision("web", [BASE, APP], "v2");
    const operator = await createToken(system, "ann", "operator");
    shared.operator = operator;
    const definition = {
      revision: { fleet: "web", number: second },
      selector: { fleet: "web" },
      waves,
    };
    const plan = await expectStatus(
      system.api("/v1/rollouts/plan", { method: "POST", json: definition }),
      200,
    );
    const canary = ((plan.waves as { devices: { deviceId: string }[] }[])[0]?.devices ?? []).map(
      (d) => d.deviceId,
    );
    expect(canary).toHaveLength(2);
    const faulty = canary[0] as string;
    await restart(agent(faulty), { failStart: ["app"] });

    browser.log.step = "operator";
    const page = await browser.newPage();
    await signIn(page, url, operator);
    expect(await textOf(page, "who")).toBe("ann · operator");

    // Plan (dry run) before anything is written, then create.
    await page.getByRole("link", { name: "Rollouts" }).click();
    await page.getByRole("link", { name: "New rollout" }).click();
    await page.getByLabel("Fleet").fill("web");
    await page.getByLabel("Revision number").fill(String(second));
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByRole("button", { name: "Plan (dry run)" }).click();
    await page.getByTestId("plan-wave-2").waitFor();
    expect(await textOf(page, "plan-wave-0")).toMatch(/^Wave 1: 2 devices/);
    expect(await textOf(page, "plan-wave-1")).toMatch(/^Wave 2: 6 devices/);
    expect(await textOf(page, "plan-wave-2")).toMatch(/^Wave 3: 12 devices/);
    expect(await textOf(page, "plan-wave-0")).toContain(faulty);
    expect((await system.api("/v1/rollouts")).body).toHaveLength(1);
    await page.getByRole("button", { name: "Create rollout" }).click();
    await statusIs(page, "created");
    const rolloutId = decodeURIComponent(new URL(page.url()).pathname.split("/").at(-1) as string);
    shared.rolloutId = rolloutId;
    shared.wave3Device = (plan.waves as { devices: { deviceId: string }[] }[])[2]?.devices[0]
      ?.deviceId as string;

    // Start with a reason; the page follows the rollout's events from here on, never reloading.
    await page.getByTestId("live").getByText("following events").waitFor();
    await page.evaluate(() => {
      const seen = new Set<string>();
      const g = globalThis as unknown as Watched;
      g.seen = seen;
      new g.MutationObserver(() => {
        const bar = (globalThis as unknown as InPage).document.querySelector(
          "[data-testid=wave-bar-0]",
        );
        if (bar) seen.add(bar.getAttribute("aria-label") ?? "");
      }).observe((globalThis as unknown as InPage).document.body, {
        subtree: true,
        childList: true,
        attributes: true,
      });
    });
    await page.getByRole("button", { name: "Start" }).click();
    await page.getByLabel("Reason for start").fill("v2 to the web fleet");
    await page.getByRole("button", { name: "Confirm start" }).click();

    // The failing canary trips the gate: the page shows the pause and the grouped reason.
    await statusIs(page, "paused");
    const group = page.getByTestId("failure-group");
    await group.waitFor();
    const progress = (await system.api(`/v1/rollouts/${rolloutId}`)).body;
    const [failure] = progress.failures as { stage: string; reason: string; devices: string[] }[];
    expect(failure?.devices).toEqual([faulty]);
    const row = (await group.textContent()) ?? "";
    expect(row).toContain(failure?.stage);
    expect(row).toContain(failure?.reason);
    expect(row).toContain(faulty);
    expect(await page.getByText("Gate: failed").count()).toBe(1);
    const seen = await page.evaluate(() => [...(globalThis as unknown as Watched).seen]);
    expect(seen.length, `wave 1 bar states seen live: ${seen.join(" | ")}`).toBeGreaterThan(1);
    expect(seen.some((s) => /[1-9]\d* failed/.test(s))).toBe(true);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: docs("console-rollout.png"), fullPage: true });

    // The failed device's page: why, and its timeline with the gate decision and who started it.
    await group.getByRole("link", { name: faulty }).click();
    await page.getByTestId("why").waitFor();
    expect(await textOf(page, "why")).toMatch(/^failed:/);
    const timeline = page.getByRole("list", { name: "Timeline" });
    await timeline.getByText("WaveGateFailed").waitFor();
    const events = (await timeline.textContent()) ?? "";
    expect(events).toMatch(/RolloutStarted by operator:ann/);
    expect(events).toMatch(/UpdateFailed by device:/);
    expect(events).toMatch(/RolloutPaused by system:rollout-process-manager/);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.screenshot({ path: docs("console-device.png"), fullPage: true });

    // Fix the device, go back, and resume with the keyboard only.
    await restart(agent(faulty), {});
    await page.goBack();
    await statusIs(page, "paused");
    await page.getByTestId("live").getByText("following events").waitFor();
    await tabTo(page, "Resume");
    await page.keyboard.press("Enter");
    // The reason field takes the focus: the operator types straight on.
    await page.waitForFunction(
      () => (globalThis as unknown as InPage).document.activeElement?.id === "reason",
    );
    await page.keyboard.type("canary fixed");
    await page.keyboard.press("Enter");
    await statusIs(page, "completed");
    for (const wave of [1, 2]) {
      const size = (progress.waves as Json[])[wave]?.size;
      expect(await textOf(page, `wave-${wave}-done`)).toBe(`done ${size}`);
    }
    const resumed = (await system.api(`/v1/events?rollout=${rolloutId}&type=RolloutResumed`)).body;
    expect((resumed.items as Json[])[0]).toMatchObject({
      data: { reason: "canary fixed" },
      metadata: { actor: "operator:ann" },
    });
    expect(
      await page.evaluate(
        () =>
          (globalThis as unknown as Navigations).performance.getEntriesByType("navigation").length,
      ),
    ).toBe(1);
    await page.close();
  });

  it("shows the fleet overview, filters devices, time-travels a device, diffs revisions and tails the audit log", async () => {
    browser.log.step = "other pages";
    // The registry is a projection: it follows the rollout's last events a moment later. The page
    // shows the registry as it is when loaded, so wait until it has settled (two equal reads).
    let previous = "";
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
      const now = JSON.stringify((await system.api("/v1/devices/summary")).body);
      if (now === previous && now.includes('"number":2')) break;
      previous = now;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const page = await browser.newPage();
    await signIn(page, url, shared.operator);

    // Overview: counts from GET /v1/devices/summary.
    const byRevision = page.getByRole("table", { name: "By revision" });
    await byRevision.getByText("web#2").waitFor();
    const summary = (await system.api("/v1/devices/summary")).body as {
      drifted: number;
      byRevision: { number: number; count: number }[];
    };
    const onV2 = summary.byRevision.find((r) => r.number === 2)?.count;
    expect(await byRevision.getByRole("row", { name: /web#2/ }).textContent()).toBe(`web#2${onV2}`);
    const presence = await page.getByRole("table", { name: "Presence" }).textContent();
    expect(presence).toContain("online20");
    // The failed canary device is back on web#1 with web#2 still its target.
    expect(summary.drifted).toBeGreaterThan(0);
    expect(presence).toContain(`(drifted)${summary.drifted}`);
    expect(await page.getByRole("table", { name: "Failures by reason" }).textContent()).toMatch(
      /UpdateFailed: boot_failed/,
    );
    expect(await accessibilityProblems(page)).toEqual([]);

    // Devices: server-side filter on the running revision.
    await page.getByRole("link", { name: "Devices" }).click();
    await page.getByLabel("Revision", { exact: true }).fill("2");
    await page.getByLabel("Online", { exact: true }).selectOption("online");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForFunction(
      (n) =>
        [
          ...(globalThis as unknown as InPage).document.querySelectorAll(
            "[data-testid=device-table] tbody tr",
          ),
        ].length === n,
      onV2,
    );
    const revisions = await page
      .locator("[data-testid=device-table] tbody tr td:nth-child(2)")
      .allTextContents();
    expect(new Set(revisions)).toEqual(new Set(["web#2"]));
    expect(await accessibilityProblems(page)).toEqual([]);

    // A device as it was before the v2 rollout (time travel), then back to now.
    await page.getByRole("link", { name: shared.wave3Device }).click();
    await page.getByTestId("current-revision").getByText("web#2").waitFor();
    const local = (d: Date) => {
      const p = (n: number) => String(n).padStart(2, "0");
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
    };
    await page.getByLabel("As it was at").fill(local(shared.beforeV2));
    await page.getByRole("button", { name: "Show" }).click();
    await page.getByText("Showing the device as it was at").waitFor();
    await page.getByTestId("current-revision").getByText("web#1").waitFor();
    expect(await page.getByRole("list", { name: "Timeline" }).textContent()).not.toContain("web#2");
    await page.getByRole("button", { name: "Back to now" }).click();
    await page.getByTestId("current-revision").getByText("web#2").waitFor();

    // Revisions: parts and what a diff changes.
    await page.getByRole("link", { name: "Revisions" }).click();
    await page.getByLabel("Fleet", { exact: true }).fill("web");
    await page.getByRole("button", { name: "Show" }).click();
    await page.getByRole("button", { name: "#2" }).click();
    await page.getByText(/Parts: .*app/).waitFor();
    expect(await textOf(page, "signatures")).toMatch(
      /^verified under the strict policy: (\S+\.json valid \(trusted: release\)(, |$))+/,
    );
    await page.getByLabel("From", { exact: true }).fill("1");
    await page.getByLabel("To", { exact: true }).fill("2");
    await page.getByRole("button", { name: "Diff" }).click();
    await page.getByText(/Parts added: app/).waitFor();
    const diff = (await system.api("/v1/fleets/web/revisions/1/diff/2")).body;
    expect(await textOf(page, "reboot")).toMatch(
      diff.reboot ? /^Reboots the device/ : /^No reboot/,
    );
    expect(await accessibilityProblems(page)).toEqual([]);

    // Audit: a filter, its export links, and a live tail that shows a new event as it happens.
    await page.getByRole("link", { name: "Audit" }).click();
    await page.getByLabel("Device", { exact: true }).fill(shared.wave3Device);
    await page.getByRole("button", { name: "Apply" }).click();
    await page
      .getByRole("list", { name: "Timeline" })
      .getByText("TargetAssigned")
      .first()
      .waitFor();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "NDJSON" }).click(),
    ]);
    const lines = readFileSync(await download.path(), "utf8")
      .trim()
      .split("\n");
    const exported = lines.map((line) => JSON.parse(line) as { streamId: string; type: string });
    expect(new Set(exported.map((e) => e.streamId))).toEqual(
      new Set([`device:${shared.wave3Device}`]),
    );
    expect(exported.map((e) => e.type)).toContain("TargetAssigned");
    expect(await page.getByRole("link", { name: "CSV" }).count()).toBe(1);
    await page.getByLabel("Live tail", { exact: true }).check();
    await page.getByRole("heading", { name: "Live (0)" }).waitFor();
    await new Promise((resolve) => setTimeout(resolve, 500)); // the tail's request is in flight
    await expectStatus(
      system.api(`/v1/devices/${shared.wave3Device}`, {
        method: "PATCH",
        json: { tags: { ring: "late" } },
      }),
      200,
    );
    const live = page.getByRole("region", { name: "Live tail" });
    await live.getByText("DeviceTagsChanged").waitFor();
    expect(await live.textContent()).toContain("by operator:admin");
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.close();
  });

  it("shows a viewer no control, and the API refuses a viewer's command anyway", async () => {
    const viewer = await createToken(system, "vic", "viewer");
    const summary = { rolloutId: shared.rolloutId };
    browser.log.step = "viewer";
    const page = await browser.newPage();
    await signIn(page, url, viewer);
    await page.getByRole("link", { name: "Rollouts" }).click();
    await page.getByRole("table", { name: "Rollouts" }).waitFor();
    expect(await page.getByRole("link", { name: "New rollout" }).count()).toBe(0);
    await page
      .getByRole("link", { name: String(summary?.rolloutId) })
      .first()
      .click();
    await page.getByTestId("rollout-status").waitFor();
    expect(await page.getByRole("region", { name: "Rollout controls" }).count()).toBe(0);
    for (const name of ["Start", "Pause", "Resume", "Promote", "Abort", "Rollback"])
      expect(await page.getByRole("button", { name, exact: true }).count()).toBe(0);
    const refused = await fetch(`${url}/v1/rollouts/${summary?.rolloutId}/rollback`, {
      method: "POST",
      headers: { authorization: `Bearer ${viewer}`, "content-type": "application/json" },
      body: JSON.stringify({ reason: "viewer tries" }),
    });
    expect(refused.status).toBe(403);
    await page.close();
  });

  it("logged no browser console error, except the refused bad token's 401", () => {
    const unexpected = browser.log.errors.filter(
      (e) => !(e.step === "bad token" && e.text.includes("status of 401")),
    );
    expect(unexpected).toEqual([]);
  });
});
