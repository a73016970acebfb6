import { trustPolicyView } from "@statecast/contract/http";
import { startTestApp, type TestApp } from "../openapi/test-app.test-helper.js";

describe("/v1/fleets/:fleet/trust-policy", () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp();
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  const put = (fleet: string, body: unknown) =>
    app.call(`/v1/fleets/${encodeURIComponent(fleet)}/trust-policy`, { method: "PUT", json: body });

  it("shows the default policy (strict, nobody) as its contract says", async () => {
    const res = await app.call("/v1/fleets/lab/trust-policy");
    expect(trustPolicyView.parse(await res.json())).toEqual({
      fleet: "lab",
      version: 0,
      mode: "strict",
      trusted: [],
    });
  });

  it("400 with field details for bad bodies, nothing written", async () => {
    const before = await app.eventCount();
    const signer = { name: "release", pem: "not a key", keys: ["**"] };
    const bad: [string, unknown, string][] = [
      ["lab", { mode: "loose", trusted: [] }, "mode"],
      ["lab", { mode: "strict", trusted: [{ ...signer, keys: [] }] }, "trusted.0.keys"],
      ["lab", { mode: "strict", trusted: [{ ...signer, extra: 1 }] }, "trusted.0.extra"],
      ["lab", { mode: "strict", trusted: [{ ...signer, name: " x" }] }, "trusted.0.name"],
      ["lab", { mode: "strict", trusted: [signer] }, "trusted.0.pem"],
      ["bad fleet!", { mode: "strict", trusted: [] }, "fleet"],
    ];
    for (const [fleet, body, field] of bad) {
      const res = await put(fleet, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(await res.json())).toContain(field);
    }
    expect(await app.eventCount()).toBe(before);
  });
});
