import { join } from "node:path";
import { Agent } from "@statecast/device-agent/dist/agent/agent.js";
import type { LogSink } from "@statecast/device-agent/dist/log.js";
import { connectAgent } from "@statecast/device-agent/dist/nats/connected-agent.js";
import { LxcRuntime } from "@statecast/device-agent/dist/runtime/lxc-runtime.js";
import { SimRuntime } from "@statecast/device-agent/dist/runtime/sim-runtime.js";
import { DEVICE_JS_API_PREFIX } from "@statecast/nats-auth";
import type { TrustPolicy } from "@statecast/state";

export interface DemoDeviceSpec {
  deviceId: string;
  runtime: "sim" | "lxc";
  /** The device's own directory: identity, creds, agent store, lxcpath. */
  dir: string;
}

/** A demo device: the real agent in this process, its own store and NATS connection. */
export interface DemoDevice {
  readonly spec: DemoDeviceSpec;
  /** The lxcpath of an LXC device (to check nothing is left after a stop). */
  readonly lxcpath: string | undefined;
  /** Disconnects, stops the agent; an LXC device's containers are stopped and destroyed. */
  stop(): Promise<void>;
}

export const lxcpathOf = (spec: DemoDeviceSpec) => join(spec.dir, "lxc");

export async function startDemoDevice(
  spec: DemoDeviceSpec,
  options: {
    natsUrl: string;
    natsCa?: string | undefined;
    creds: string;
    targetKeyPem: string;
    trustPolicy: TrustPolicy;
    logSink?: LogSink | undefined;
  },
): Promise<DemoDevice> {
  const lxc = spec.runtime === "lxc";
  const agent = new Agent({
    deviceId: spec.deviceId,
    storeDir: join(spec.dir, "store"),
    runtime: lxc ? new LxcRuntime(lxcpathOf(spec)) : new SimRuntime(join(spec.dir, "sim")),
    // A short TESTING period so the demo moves along (a real device defaults to 25 s).
    commitDelayMs: lxc ? 2000 : 1000,
    groupTimeoutMs: 30_000,
    orchestratorKeys: [options.targetKeyPem],
    trustPolicy: options.trustPolicy,
    quiet: true,
    ...(options.logSink ? { logSink: options.logSink } : {}),
  });
  // Boot: containers of the committed revision come back (a restart after a stop).
  try {
    await agent.start();
  } catch (error) {
    await agent.stop().catch(() => undefined);
    throw error;
  }
  let connection: Awaited<ReturnType<typeof connectAgent>> | undefined;
  try {
    connection = await connectAgent(agent, {
      natsUrl: options.natsUrl,
      ...(options.natsCa ? { natsCa: options.natsCa } : {}),
      creds: options.creds,
      jsApiPrefix: DEVICE_JS_API_PREFIX,
      reconnectMaxDelayMs: 2000,
    });
  } catch (error) {
    await (lxc ? agent.removeAllContainers() : agent.stop()).catch(() => undefined);
    throw error;
  }
  return {
    spec,
    lxcpath: lxc ? lxcpathOf(spec) : undefined,
    async stop() {
      await connection?.close().catch(() => undefined);
      await agent.stop().catch(() => undefined);
      if (!lxc) return;
      // A stopped demo leaves no container running; the next start boots them again. An apply
      // in flight may still define one after the first pass: a second pass takes it too.
      await agent.removeAllContainers().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await agent.removeAllContainers().catch(() => undefined);
    },
  };
}
