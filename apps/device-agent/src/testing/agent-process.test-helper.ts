import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FsObjectStore, type State, writeBundle } from "@statecast/state";
// @ts-expect-error build.mjs is plain JavaScript
import { buildAgent } from "../../build.mjs";
import type { DeviceUnderTest } from "./harness.test-helper.js";

/**
 * Builds the single-file agent into `dir` with the same esbuild step as `npm run build`, as the
 * test build (`--crash-at` available).
 */
export async function agentBundle(dir: string): Promise<string> {
  const { outfile } = (await buildAgent(join(dir, "statecast-agent.js"), { faults: true })) as {
    outfile: string;
  };
  return outfile;
}

export async function bundleOf(
  device: DeviceUnderTest,
  state: State,
  name: string,
): Promise<string> {
  const path = join(device.dir, `${name}.tar`);
  await writeBundle(createWriteStream(path), {
    state,
    store: new FsObjectStore(device.states.objectsDir),
  });
  return path;
}

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `statecast-agent install` as its own process against the device's store and lxcpath. */
export async function runInstall(
  agentJs: string,
  device: DeviceUnderTest,
  bundle: string,
  extra: string[] = [],
): Promise<ProcessResult> {
  const trust = join(device.dir, "trust.pem");
  writeFileSync(trust, device.states.key.publicKeyPem);
  const args = [
    agentJs,
    "install",
    bundle,
    ...["--store", device.storeDir, "--lxcpath", join(device.dir, "lxc"), "--trust", trust],
    ...[
      "--device-id",
      device.deviceId,
      "--commit-delay-ms",
      "1000",
      "--group-timeout-ms",
      "5000",
      "--quiet",
    ],
    ...extra,
  ];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}

/** Starts `statecast-agent run` connected to `natsUrl`; the caller kills or stops it. */
export function startRunProcess(
  agentJs: string,
  device: DeviceUnderTest,
  natsUrl: string,
  extra: string[] = [],
): ChildProcess {
  const trust = join(device.dir, "trust.pem");
  const orchestrator = join(device.dir, "orchestrator.pem");
  writeFileSync(trust, device.states.key.publicKeyPem);
  writeFileSync(
    orchestrator,
    device.orchestrator.publicKey.export({ type: "spki", format: "pem" }),
  );
  const args = [
    agentJs,
    "run",
    ...["--store", device.storeDir, "--lxcpath", join(device.dir, "lxc"), "--trust", trust],
    ...["--orchestrator-key", orchestrator, "--nats", natsUrl, "--device-id", device.deviceId],
    ...["--commit-delay-ms", "1000", "--group-timeout-ms", "5000", "--quiet"],
    ...extra,
  ];
  return spawn(process.execPath, args, { stdio: ["ignore", "ignore", "inherit"] });
}
