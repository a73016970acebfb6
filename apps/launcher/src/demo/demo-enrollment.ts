import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { enroll } from "@statecast/device-agent/dist/enroll/enroll.js";
import { createLogger, type LogSink } from "@statecast/device-agent/dist/log.js";

/**
 * What the launcher leaves for devices (see ../device-enrollment.ts): an enrollment user's
 * creds (may only say hello) and a live token of the demo fleet. Undefined when absent (NATS_URL
 * set: no generated auth).
 */
export function demoEnrollmentFiles(dataDir: string) {
  const dir = join(dataDir, "enrollment");
  const files = { creds: join(dir, "enrollment.creds"), token: join(dir, "demo.token") };
  return existsSync(files.creds) && existsSync(files.token) ? files : undefined;
}

/**
 * The device's own `.creds`: kept from an earlier start, or obtained now as a real device does —
 * the agent's own hello client (its nkey created once in its dir, hello as the enrollment user
 * with the fleet token, the JWT in the reply turned into creds, stored 0600).
 */
export async function demoDeviceCreds(
  device: { deviceId: string; runtime: "sim" | "lxc"; dir: string },
  options: {
    natsUrl: string;
    natsCa?: string | undefined;
    fleet: string;
    files: { creds: string; token: string };
    signal: AbortSignal;
    logSink?: LogSink | undefined;
  },
): Promise<{ creds: string; enrolledNow: boolean }> {
  mkdirSync(device.dir, { recursive: true, mode: 0o700 });
  const credsFile = join(device.dir, "device.creds");
  if (existsSync(credsFile)) return { creds: readFileSync(credsFile, "utf8"), enrolledNow: false };
  const creds = await enroll({
    natsUrl: options.natsUrl,
    ...(options.natsCa ? { natsCa: options.natsCa } : {}),
    deviceId: device.deviceId,
    fleet: options.fleet,
    enrollmentCreds: readFileSync(options.files.creds, "utf8"),
    enrollmentToken: readFileSync(options.files.token, "utf8").trim(),
    identityFile: join(device.dir, "device.nk"),
    credsFile,
    log: createLogger(device.deviceId, device.runtime, true, options.logSink),
    retryInitialMs: 500,
    retryMaxMs: 2000,
    signal: options.signal,
  });
  return { creds, enrolledNow: true };
}
