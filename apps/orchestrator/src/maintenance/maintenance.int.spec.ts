import { maintenancePolicyView } from "@statecast/contract/http";
import { startTestApp, type TestApp } from "../openapi/test-app.test-helper.js";

const nightly = { name: "nightly", cron: "0 2 * * *", durationMinutes: 120, timeZone: "UTC" };

describe("/v1/fleets/:fleet/maintenance-windows", () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  const put = (fleet: string, body: unknown) =>
    app.call(`/v1/fleets/${encodeURIComponent(fleet)}/maintenance-windows`, {
      method: "PUT",
      json: body,
    });

  it("replaces the windows and shows them as its contract says", async () => {
    const empty = await app.call("/v1/fleets/lab/maintenance-windows");
    expect(await empty.json()).toEqual({ fleet: "lab", version: 0, windows: [], consent: false });
    const body = { windows: [{ ...nightly, tags: ["ring=canary"] }], lockLimitSeconds: 600 };
    const res = await put("lab", body);
    expect(res.status).toBe(200);
    const set = maintenancePolicyView.parse(await res.json());
    expect(set).toMatchObject({ fleet: "lab", version: 1, consent: false, ...body });
    const got = await app.call("/v1/fleets/lab/maintenance-windows");
    expect(maintenancePolicyView.parse(await got.json())).toEqual(set);
  });

  it("400 with field details for bad bodies, nothing written", async () => {
    const before = await app.eventCount();
    const bad: [string, unknown, string][] = [
      ["lab", { windows: [{ ...nightly, extra: 1 }] }, "windows.0.extra"],
      ["lab", { windows: [{ ...nightly, durationMinutes: "120" }] }, "windows.0.durationMinutes"],
      ["lab", { windows: [{ ...nightly, cron: "0 2 * *" }] }, "cron needs five fields"],
      ["lab", { windows: [nightly, nightly] }, "named twice"],
      ["lab", { windows: [], lockLimitSeconds: 0 }, "lockLimitSeconds"],
      ["lab", {}, "windows"],
      ["bad fleet!", { windows: [] }, "fleet"],
    ];
    for (const [fleet, body, problem] of bad) {
      const res = await put(fleet, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(await res.json())).toContain(problem);
    }
    expect(await app.eventCount()).toBe(before);
  });
});
