import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { tlsConnectionOptions } from "@statecast/nats-auth";
import { ensureTlsFiles, type TlsFiles } from "@statecast/nats-auth/tls-setup";
import { startTestNats, type TestNats } from "@statecast/testing";
import { INIT } from "../testing/fixtures.test-helper.js";
import { GatewaySide } from "../testing/gateway-side.test-helper.js";
import { DeviceUnderTest } from "../testing/harness.test-helper.js";
import { connectAgent } from "./connected-agent.js";

/** The agent reaches a TLS-only nats-server trusting only the CA it was given (`--nats-ca`). */
describe("agent over TLS, pinning the deployment's CA", () => {
  const dir = mkdtempSync("/tmp/sc-agent-tls-");
  let tls: TlsFiles;
  let nats: TestNats;
  let url: string;
  let gateway: GatewaySide;
  let device: DeviceUnderTest;
  let handle: Awaited<ReturnType<typeof connectAgent>> | undefined;

  beforeAll(async () => {
    tls = await ensureTlsFiles(join(dir, "tls"), ["localhost", "127.0.0.1"]);
    const configFile = join(dir, "nats.conf");
    writeFileSync(
      configFile,
      `tls: { cert_file: "${tls.certFile}", key_file: "${tls.keyFile}", ca_file: "${tls.caFile}" }\n`,
    );
    nats = await startTestNats({ configFile });
    url = `tls://127.0.0.1:${nats.port}`;
    gateway = await GatewaySide.open(url, tlsConnectionOptions(tls.caFile));
    device = new DeviceUnderTest();
    await device.agent.start();
  });
  afterAll(async () => {
    await handle?.close();
    await gateway?.close();
    await device?.dispose();
    await nats?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("follows its target to DONE over TLS; the server refuses a plaintext client", async () => {
    await expect(
      connect({ servers: `nats://127.0.0.1:${nats.port}`, reconnect: false, tls: null }),
    ).rejects.toThrow();
    handle = await connectAgent(device.agent, {
      natsUrl: url,
      natsCa: readFileSync(tls.caFile, "utf8"),
      reconnectMaxDelayMs: 500,
    });
    const { state, digest } = device.states.build([
      { name: "net", group: "root", init: INIT.started },
    ]);
    await gateway.putObjects(device.states.objectsDir);
    const target = device.target(state, digest);
    await gateway.putTarget(target);
    const reports = await gateway.waitForReport(
      (r) => r.revision === target.revision && r.status === "DONE",
    );
    expect(reports.some((r) => r.status === "DONE")).toBe(true);
  });
});
