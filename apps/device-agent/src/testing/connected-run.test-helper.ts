import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { DEVICE_JS_API_PREFIX } from "@statecast/nats-auth";
import type { StatusReport } from "../report/report.js";
import type { ProcessResult } from "./agent-process.test-helper.js";
import { STATUS_STREAM } from "./gateway-side.test-helper.js";
import type { DeviceUnderTest } from "./harness.test-helper.js";
import type { SecuredNats } from "./secured-nats.test-helper.js";

/** `statecast-agent run` (sim runtime) as its own process against the secured NATS. */
export function runConnectedAgent(
  env: SecuredNats,
  agentJs: string,
  device: DeviceUnderTest,
  extra: string[],
) {
  const trust = join(device.dir, "trust.pem");
  const orchestrator = join(device.dir, "orchestrator.pem");
  writeFileSync(trust, device.states.key.publicKeyPem);
  writeFileSync(
    orchestrator,
    device.orchestrator.publicKey.export({ type: "spki", format: "pem" }),
  );
  const child = spawn(
    process.execPath,
    [
      agentJs,
      "run",
      ...["--store", device.storeDir, "--runtime", "sim", "--trust", trust],
      ...["--orchestrator-key", orchestrator, "--nats", env.nats.url],
      ...["--device-id", device.deviceId, "--js-api-prefix", DEVICE_JS_API_PREFIX],
      ...["--commit-delay-ms", "300", "--quiet"],
      ...extra,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const done = new Promise<ProcessResult>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return Object.assign(child, { done, output: () => ({ stdout, stderr }) });
}

/** The device's reports in the status stream, once one of them has `status` (30 s at most). */
export async function waitForStatus(
  env: SecuredNats,
  deviceId: string,
  status: string,
  where: (report: StatusReport) => boolean = () => true,
): Promise<StatusReport[]> {
  const jsm = await jetstreamManager(env.service);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const info = await jsm.streams.info(STATUS_STREAM);
    const reports: StatusReport[] = [];
    for (
      let seq = info.state.first_seq;
      info.state.messages > 0 && seq <= info.state.last_seq;
      seq++
    ) {
      const message = await jsm.streams.getMessage(STATUS_STREAM, { seq }).catch(() => undefined);
      const report = message?.json<StatusReport>();
      if (report?.deviceId === deviceId) reports.push(report);
    }
    if (reports.some((r) => r.status === status && where(r))) return reports;
    if (Date.now() > deadline)
      throw new Error(`no ${status} from ${deviceId}; got ${reports.map((r) => r.status)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
