import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { deviceStreamId, type PostgresEventStore, type StreamAppend } from "@statecast/events";
import { DEVICE_JS_API_PREFIX, issueDeviceUser, type OperatorSetup } from "@statecast/nats-auth";
import type { TrustPolicy } from "@statecast/state";
import { Agent } from "../../apps/device-agent/src/agent/agent.js";
import { sharedHostReadings } from "../../apps/device-agent/src/metrics/proc-readings.js";
import { connectAgent } from "../../apps/device-agent/src/nats/connected-agent.js";
import { SimRuntime } from "../../apps/device-agent/src/runtime/sim-runtime.js";

export interface SimDevice {
  deviceId: string;
  creds: string;
}

/**
 * Issues each device its own NATS user (a JWT of the generated DEVICES account) and records its
 * enrolment (DeviceEnrolled with the device's real public key, enrolled with a token), in
 * batches of one multi-stream append: what the gateway's enrolment writes for a new device.
 */
export async function enrollDevices(
  store: PostgresEventStore,
  setup: OperatorSetup,
  fleet: string,
  count: number,
  progress: (done: number) => void,
): Promise<SimDevice[]> {
  const devices: SimDevice[] = [];
  const batch: StreamAppend[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await store.appendMany(batch.splice(0));
    progress(devices.length);
  };
  for (let i = 0; i < count; i++) {
    const deviceId = `sim-${String(i).padStart(5, "0")}`;
    const user = await issueDeviceUser(setup, deviceId);
    if (!user.creds) throw new Error(`no creds generated for ${deviceId}`);
    devices.push({ deviceId, creds: user.creds });
    const id = `enrol-${deviceId}`;
    batch.push({
      streamId: deviceStreamId(deviceId),
      expectedVersion: "no_stream",
      events: [
        {
          type: "DeviceEnrolled",
          data: {
            deviceId,
            publicKey: user.publicKey,
            fleet,
            tags: { runtime: "sim" },
            enrolledWith: "token",
          },
          metadata: {
            actor: `device:${deviceId}`,
            correlationId: id,
            causationId: id,
            now: new Date().toISOString(),
          },
        },
      ],
    });
    if (batch.length >= 500) await flush();
  }
  await flush();
  return devices;
}

export interface RunningAgent {
  deviceId: string;
  stop(): Promise<void>;
}

export interface SimAgentOptions {
  root: string;
  natsUrl: string;
  targetKeyPem: string;
  trustPolicy: TrustPolicy;
  commitDelayMs: number;
  /** Agents a load generator starts and connects at once. */
  connectConcurrency: number;
}

/**
 * The host's /proc and disk as every agent of this load generator reads them for its metrics:
 * once a second for all (they run on one host; each real device reads its own board).
 */
const hostReadings = sharedHostReadings();

/** One `sim` agent with its own store and its own NATS connection on its own device creds. */
export async function startSimAgent(
  device: SimDevice,
  options: SimAgentOptions,
): Promise<RunningAgent> {
  const dir = join(options.root, device.deviceId);
  mkdirSync(dir, { recursive: true });
  const agent = new Agent({
    deviceId: device.deviceId,
    storeDir: join(dir, "store"),
    runtime: new SimRuntime(join(dir, "sim")),
    commitDelayMs: options.commitDelayMs,
    groupTimeoutMs: 30_000,
    orchestratorKeys: [options.targetKeyPem],
    trustPolicy: options.trustPolicy,
    quiet: true,
  });
  await agent.start();
  const connection = await connectRetrying(device.deviceId, () =>
    connectAgent(agent, {
      natsUrl: options.natsUrl,
      creds: device.creds,
      jsApiPrefix: DEVICE_JS_API_PREFIX,
      reconnectMaxDelayMs: 2000,
      hostReadings,
    }),
  );
  return {
    deviceId: device.deviceId,
    stop: async () => {
      await connection.close().catch(() => undefined);
      await agent.stop().catch(() => undefined);
    },
  };
}

/**
 * Thousands of agents connecting at once on two busy cores: a device whose CONNECT (its signed
 * nonce) reached the server after its auth timeout is refused ("Authentication Timeout"), as a
 * real device would be, and tries again, as a real device's agent does on its next attempt.
 * Only errors of the first connect itself (nothing else of the agent started yet) are retried.
 */
async function connectRetrying<T>(deviceId: string, connect: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await connect();
    } catch (error) {
      const name = (error as Error).name;
      if (attempt >= 10 || (name !== "AuthorizationError" && name !== "ConnectionError"))
        throw new Error(`${deviceId}: ${(error as Error).message}`, { cause: error });
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(5000, 250 * 2 ** attempt)));
    }
  }
}

/** Runs `task` over `items` with at most `limit` at once. */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++] as T);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}
