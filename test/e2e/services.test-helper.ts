import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, type NatsServer } from "@statecast/infra";
import {
  ensureOperatorSetup,
  issueServiceUser,
  type OperatorSetup,
  renderServerConfig,
  type ServiceRole,
  writeGatewaySetup,
} from "@statecast/nats-auth";
import { bootstrapApp } from "@statecast/platform";
import { createTestDatabase, startTestNats, type TestDatabase } from "@statecast/testing";
import { AppModule as GatewayModule } from "../../apps/device-gateway/src/app.module.js";
import { loadGatewayConfig } from "../../apps/device-gateway/src/config/gateway.config.js";
import {
  ensureTargetKeyIn,
  targetKeyFiles,
} from "../../apps/device-gateway/src/targets/target-key.js";
import { type ServiceProcess, spawnService } from "../../apps/launcher/src/service-process.js";
import { waitUntilReady } from "../../apps/launcher/src/wait-ready.js";
import { AppModule as OrchestratorModule } from "../../apps/orchestrator/src/app.module.js";
import { loadOrchestratorConfig } from "../../apps/orchestrator/src/config/orchestrator.config.js";
import { configureOperatorApi } from "../../apps/orchestrator/src/openapi/openapi.js";
import { startSecuredCluster } from "./nats-cluster.test-helper.js";

export const ADMIN_TOKEN = "e2e-admin-token-0123456789abcdef";

/** The NATS the services and agents use: one server, or every node of a cluster. */
export interface NatsEndpoint {
  /** Every node's client URL, comma-separated (what NATS_URL and the agent's --nats take). */
  readonly url: string;
  readonly nodes: readonly NatsServer[];
  dispose(): Promise<void>;
}

/** An orchestrator or gateway, in-process or as a child process. */
export interface ServiceHandle {
  readonly url: string;
  close(): Promise<void>;
}

export interface ServicesOptions {
  /**
   * Runs orchestrator and gateway as child processes of their BUILT entry points
   * (`apps/<name>/dist/main.js`, from `npm run build`), so a test can SIGKILL and restart them.
   */
  processes?: boolean;
  /** A 3-node JetStream cluster on the generated config; the services create every stream R3. */
  natsCluster?: boolean;
  /** The gateway answers device hellos (STATECAST_NATS_AUTH_DIR = a gateway setup written from it). */
  enrollment?: boolean;
  /** More settings for both services (e.g. a short STATECAST_TARGET_LIFETIME_SECONDS). */
  env?: Record<string, string>;
  /**
   * With `processes`: this many orchestrators and gateways (issue 16 scale-out), replica i with
   * STATECAST_REPLICA_INDEX=i and every partitioned processor split in as many partitions.
   */
  replicas?: number;
}

/**
 * Postgres, nats-server on the GENERATED operator-mode config (one server or a 3-node cluster),
 * and the orchestrator and gateway connecting with SERVICES user creds — in-process, as their
 * `main` wires them, or as child processes.
 */
export interface Services {
  dir: string;
  /** The orchestrator's data directory (its objects are in sc_objects): the gateway's is another. */
  dataDir: string;
  /** The gateway's own data directory, and its target key directory (as a Secret would be). */
  gatewayDataDir: string;
  targetKeyDir: string;
  db: TestDatabase;
  nats: NatsEndpoint;
  setup: OperatorSetup;
  /** The SERVICES user creds the services connect with (for a test's own NATS checks). */
  servicesCreds: string;
  orchestrator: ServiceHandle;
  gateway: ServiceHandle;
  /** With `processes`: the two child processes (replica 0 of each), to kill and start again. */
  children?: { orchestrator: ServiceChild; gateway: ServiceChild };
  /** With `processes`: every replica of each service (index = STATECAST_REPLICA_INDEX). */
  replicas?: { orchestrators: ServiceChild[]; gateways: ServiceChild[] };
  /** PEM of the gateway's target signing key (what agents trust as the orchestrator's key). */
  targetKeyPem: string;
  close(): Promise<void>;
}

async function startSecuredNats(dir: string, setup: OperatorSetup): Promise<NatsEndpoint> {
  const port = await freePort();
  const storeDir = join(dir, "jetstream");
  const configFile = join(dir, "nats.conf");
  writeFileSync(
    configFile,
    renderServerConfig({ setup, port, storeDir, storeDirOnCommandLine: true }),
  );
  const nats = await startTestNats({ configFile, storeDir, port });
  return { url: nats.url, nodes: [nats], dispose: () => nats.dispose() };
}

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/**
 * One service as a child process on a fixed port: `start` spawns it (again) and waits for
 * `/health/ready`; `kill` is a real SIGKILL, as a crash or an OOM kill would be.
 */
export class ServiceChild implements ServiceHandle {
  readonly url: string;
  private process: ServiceProcess | undefined;
  private readonly output: string[] = [];

  constructor(
    readonly name: "orchestrator" | "device-gateway",
    private readonly port: number,
    private readonly env: Record<string, string | undefined>,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  async start(): Promise<void> {
    const entry = join(repoRoot, "apps", this.name, "dist", "main.js");
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
    this.process = spawnService({
      name: this.name,
      entry,
      env: { ...this.env, STATECAST_HTTP_PORT: String(this.port) },
      output: (line) => {
        this.output.push(line);
        if (this.output.length > 200) this.output.shift();
      },
    });
    try {
      await waitUntilReady(this.process, this.url);
    } catch (error) {
      await this.process.stop(2_000);
      throw new Error(`${(error as Error).message}\n${this.output.join("\n")}`);
    }
  }

  /** SIGKILL; resolves once the process is gone. */
  async kill(): Promise<string> {
    const child = this.process;
    if (!child) throw new Error(`${this.name} is not running`);
    if (!child.hasExited()) process.kill(child.pid, "SIGKILL");
    return child.exited;
  }

  /** The last lines the process wrote (for failure messages). */
  recentOutput(): string {
    return this.output.join("\n");
  }

  async close(): Promise<void> {
    await this.process?.stop(10_000);
  }
}

/** The parent's environment without Statecast/NATS/Postgres/OpenTelemetry settings. */
function baseEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^(STATECAST_|DATABASE_URL|NATS_|OTEL_)/.test(key)) continue;
    env[key] = value;
  }
  return env;
}

export async function startServices(options: ServicesOptions = {}): Promise<Services> {
  const dir = mkdtempSync(join(tmpdir(), "statecast-e2e-"));
  const dataDir = join(dir, "data");
  const gatewayDataDir = join(dir, "gateway-data");
  const targetKeyDir = join(dir, "gateway-keys");
  const setup = await ensureOperatorSetup(join(dir, "operator"));
  const servicesCreds = await issueServiceUser(setup, "e2e-services");
  const credsFile = join(dir, "services.creds");
  writeFileSync(credsFile, servicesCreds, { mode: 0o600 });
  const nats = options.natsCluster
    ? await startSecuredCluster(join(dir, "cluster"), setup, servicesCreds)
    : await startSecuredNats(dir, setup);
  const db = await createTestDatabase();
  ensureTargetKeyIn(targetKeyDir);
  const env = {
    DATABASE_URL: db.url,
    NATS_URL: nats.url,
    NATS_CREDS: credsFile,
    ...(options.natsCluster ? { NATS_REPLICAS: "3" } : {}),
    STATECAST_ADMIN_TOKEN: ADMIN_TOKEN,
    STATECAST_LOG_LEVEL: "error",
    // The gateway's own directory (no operator root), as the launcher and deploy/ give it.
    ...(options.enrollment
      ? { STATECAST_NATS_AUTH_DIR: (await writeGatewaySetup(setup, join(dir, "gateway-auth"))).dir }
      : {}),
    ...options.env,
  };
  // Each service under its own NATS user, limited to its part (servicePermissions); the tests'
  // own connections use the unlimited `servicesCreds`.
  const serviceCreds = async (role: ServiceRole) => {
    const file = join(dir, `${role}.creds`);
    writeFileSync(file, await issueServiceUser(setup, `e2e-${role}`, role), { mode: 0o600 });
    return file;
  };
  // No shared disk: each service its own directory; the gateway's key as a mounted Secret.
  const orchestratorEnv = {
    ...env,
    NATS_CREDS: await serviceCreds("orchestrator"),
    STATECAST_DATA_DIR: dataDir,
  };
  const gatewayEnv = {
    ...env,
    NATS_CREDS: await serviceCreds("device-gateway"),
    STATECAST_DATA_DIR: gatewayDataDir,
    STATECAST_TARGET_KEY_DIR: targetKeyDir,
  };
  let orchestrator: ServiceHandle;
  let gateway: ServiceHandle;
  let children: Services["children"];
  let replicas: Services["replicas"];
  if (options.processes) {
    const base = baseEnvironment();
    const count = options.replicas ?? 1;
    const replicaEnv = (i: number, dir: string): Record<string, string> =>
      count === 1
        ? {}
        : {
            STATECAST_REPLICA_INDEX: String(i),
            STATECAST_REPLICAS: String(count),
            STATECAST_PROCESSOR_PARTITIONS: String(count),
            STATECAST_TARGET_PARTITIONS: String(count),
            // No shared disk between replicas either.
            ...(i > 0 ? { STATECAST_DATA_DIR: `${dir}-${i}` } : {}),
          };
    const each = async (name: "orchestrator" | "device-gateway", env: Record<string, string>) => {
      const started: ServiceChild[] = [];
      for (let i = 0; i < count; i++) {
        const own = { ...base, ...env, ...replicaEnv(i, env.STATECAST_DATA_DIR as string) };
        started.push(new ServiceChild(name, await freePort(), own));
      }
      return started;
    };
    replicas = {
      orchestrators: await each("orchestrator", orchestratorEnv),
      gateways: await each("device-gateway", gatewayEnv),
    };
    children = {
      orchestrator: replicas.orchestrators[0] as ServiceChild,
      gateway: replicas.gateways[0] as ServiceChild,
    };
    // Together, as replicas may start: migrations run under an advisory lock.
    await Promise.all([...replicas.orchestrators, ...replicas.gateways].map((c) => c.start()));
    orchestrator = children.orchestrator;
    gateway = children.gateway;
  } else {
    const orchestratorConfig = loadOrchestratorConfig({
      ...orchestratorEnv,
      STATECAST_HTTP_PORT: String(await freePort()),
    });
    orchestrator = await bootstrapApp(OrchestratorModule.register(orchestratorConfig), {
      name: "orchestrator",
      config: orchestratorConfig,
      configure: configureOperatorApi,
    });
    const gatewayConfig = loadGatewayConfig({
      ...gatewayEnv,
      STATECAST_HTTP_PORT: String(await freePort()),
    });
    gateway = await bootstrapApp(GatewayModule.register(gatewayConfig), {
      name: "device-gateway",
      config: gatewayConfig,
    });
  }
  return {
    dir,
    dataDir,
    gatewayDataDir,
    targetKeyDir,
    db,
    nats,
    setup,
    servicesCreds,
    orchestrator,
    gateway,
    ...(children ? { children } : {}),
    ...(replicas ? { replicas } : {}),
    targetKeyPem: readFileSync(targetKeyFiles(targetKeyDir).publicKey, "utf8"),
    async close() {
      const others = [...(replicas?.gateways ?? []), ...(replicas?.orchestrators ?? [])];
      const extra = others.filter((c) => c !== gateway && c !== orchestrator);
      await Promise.all(extra.map((c) => c.close().catch(() => undefined)));
      await gateway.close().catch(() => undefined);
      await orchestrator.close().catch(() => undefined);
      await nats.dispose();
      await db.drop();
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
}
