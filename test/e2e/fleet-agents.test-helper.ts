import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { deviceStreamId, type PostgresEventStore } from "@statecast/events";
import { DEVICE_JS_API_PREFIX, issueDeviceUser, type OperatorSetup } from "@statecast/nats-auth";
import type { TrustPolicy } from "@statecast/state";
import { Agent } from "../../apps/device-agent/src/agent/agent.js";
import {
  type ConnectedOptions,
  connectAgent,
} from "../../apps/device-agent/src/nats/connected-agent.js";
import { LxcRuntime } from "../../apps/device-agent/src/runtime/lxc-runtime.js";
import { type SimFaults, SimRuntime } from "../../apps/device-agent/src/runtime/sim-runtime.js";

export interface AgentSpec {
  deviceId: string;
  fleet: string;
  runtime: "sim" | "lxc";
  faults?: SimFaults;
  /** The agent's clock for maintenance windows (default: the system's). */
  clock?: () => Date;
  /** More NATS-side options of the agent (heartbeat interval, expired-target grace). */
  connection?: Partial<ConnectedOptions>;
}

/** One device: its own agent, store, runtime and NATS connection with its own device creds. */
export class FleetAgent {
  agent: Agent;
  private connection: Awaited<ReturnType<typeof connectAgent>> | undefined;

  constructor(
    readonly spec: AgentSpec,
    readonly dir: string,
    readonly creds: string,
    private readonly trust: { targetKeyPem: string; trustPolicy: TrustPolicy },
  ) {
    this.agent = this.newAgent(spec.faults);
  }

  /** A fresh agent on the same store (a restart), with other sim faults if given. */
  newAgent(faults: SimFaults = {}): Agent {
    const runtime =
      this.spec.runtime === "sim"
        ? new SimRuntime(join(this.dir, "sim"), faults)
        : new LxcRuntime(join(this.dir, "lxc"));
    this.agent = new Agent({
      deviceId: this.spec.deviceId,
      storeDir: join(this.dir, "store"),
      runtime,
      commitDelayMs: this.spec.runtime === "sim" ? 50 : 1000,
      groupTimeoutMs: 5000,
      orchestratorKeys: [this.trust.targetKeyPem],
      trustPolicy: this.trust.trustPolicy,
      quiet: true,
      ...(this.spec.clock ? { clock: this.spec.clock } : {}),
    });
    return this.agent;
  }

  async connect(natsUrl: string): Promise<void> {
    await this.agent.start();
    this.connection = await connectAgent(this.agent, {
      natsUrl,
      creds: this.creds,
      jsApiPrefix: DEVICE_JS_API_PREFIX,
      reconnectMaxDelayMs: 1000,
      ...this.spec.connection,
    });
  }

  /** Live log follows the connected agent serves now. */
  get logFollows(): number {
    return this.connection?.logs.follows.size ?? 0;
  }

  /** Disconnects and stops the agent (the device goes offline; its store stays). */
  async disconnect(): Promise<void> {
    await this.connection?.close();
    this.connection = undefined;
    await this.agent.stop();
  }

  async dispose(): Promise<void> {
    await this.disconnect().catch(() => undefined);
    await this.agent.removeAllContainers().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
}

/**
 * Issues each device its NATS user and records its enrolment (DeviceEnrolled with the device's
 * real NATS public key), as the gateway's enrolment does.
 */
export async function enrollAgents(
  store: PostgresEventStore,
  setup: OperatorSetup,
  root: string,
  specs: AgentSpec[],
  trust: { targetKeyPem: string; trustPolicy: TrustPolicy },
): Promise<FleetAgent[]> {
  const agents: FleetAgent[] = [];
  for (const spec of specs) {
    const user = await issueDeviceUser(setup, spec.deviceId);
    if (!user.creds) throw new Error(`no creds generated for ${spec.deviceId}`);
    const dir = join(root, spec.deviceId);
    mkdirSync(dir, { recursive: true });
    const metadata = {
      actor: `device:${spec.deviceId}` as const,
      correlationId: `enrol-${spec.deviceId}`,
      causationId: `enrol-${spec.deviceId}`,
      now: new Date().toISOString(),
    };
    await store.append(
      deviceStreamId(spec.deviceId),
      [
        {
          type: "DeviceEnrolled",
          data: {
            deviceId: spec.deviceId,
            publicKey: user.publicKey,
            fleet: spec.fleet,
            tags: { runtime: spec.runtime },
            enrolledWith: "token",
          },
          metadata,
        },
      ],
      { expectedVersion: "no_stream" },
    );
    agents.push(new FleetAgent(spec, dir, user.creds, trust));
  }
  return agents;
}

/** Runs `task` over `items` with at most `limit` at once. */
export async function eachLimited<T>(
  items: T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  const queue = [...items];
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await task(item);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}
