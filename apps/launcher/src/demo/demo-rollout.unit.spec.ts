import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DemoApi } from "./demo-api.js";
import { runDemoRollout } from "./demo-rollout.js";

/** An orchestrator stand-in: POST .../start is recorded; GET says running twice, then completed. */
function fakeOrchestrator() {
  const requests: string[] = [];
  let gets = 0;
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.setHeader("content-type", "application/json");
    if (req.method === "POST") {
      res.end("{}");
      return;
    }
    gets++;
    const status = gets < 3 ? "running" : "completed";
    const wave = { status, size: 1, counts: { succeeded: gets < 3 ? 0 : 1 }, soak: {} };
    res.end(JSON.stringify({ rolloutId: "r1", status, waves: [wave] }));
  });
  return { server, requests };
}

describe("runDemoRollout: the demo fleet's and the board's start + watch", () => {
  let fake: ReturnType<typeof fakeOrchestrator>;
  let api: DemoApi;
  beforeEach(async () => {
    fake = fakeOrchestrator();
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    api = new DemoApi(`http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`, "t");
  });
  afterEach(() => fake.server.close());

  it("starts it with the reason, prints its line, then each progress change, to its end", async () => {
    const lines: string[] = [];
    const ran = await runDemoRollout(api, "r1", {
      startReason: "demo",
      line: "rollout r1 started",
      print: (l) => lines.push(l),
      stopped: () => false,
    });
    expect(fake.requests[0]).toBe("POST /v1/rollouts/r1/start");
    expect(ran?.view.status).toBe("completed");
    expect(ran?.seconds).toBeGreaterThanOrEqual(0);
    expect(lines).toEqual([
      "rollout r1 started",
      "rollout r1 running: wave 1 running 0/1",
      "rollout r1 completed: wave 1 completed 1/1",
    ]);
  });

  it("takes over a running rollout without starting it, and stops watching when the demo stops", async () => {
    const ran = await runDemoRollout(api, "r1", { print: () => undefined, stopped: () => true });
    expect(ran).toBeUndefined();
    expect(fake.requests.filter((r) => r.startsWith("POST"))).toEqual([]);
  });
});
