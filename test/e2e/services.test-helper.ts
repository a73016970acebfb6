import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "@statecast/infra";
import {
  ensureOperatorSetup,
  issueServiceUser,
  type OperatorSetup,
  renderServerConfig,
} from "@statecast/nats-auth";
import { bootstrapApp, type RunningService } from "@statecast/platform";
import {
  createTestDatabase,
  startTestNats,
  type TestDatabase,
  type TestNats,
} from "@statecast/testing";
import { AppModule as GatewayModule } from "../../apps/device-gateway/src/app.module.js";
import { loadGatewayConfig } from "../../apps/device-gateway/src/config/gateway.config.js";
import {
  ensureTargetKey,
  targetKeyPaths,
} from "../../apps/device-gateway/src/targets/target-key.js";
import { AppModule as OrchestratorModule } from "../../apps/orchestrator/src/app.module.js";
import { loadOrchestratorConfig } from "../../apps/orchestrator/src/config/orchestrator.config.js";
import { configureOperatorApi } from "../../apps/orchestrator/src/openapi/openapi.js";

export const ADMIN_TOKEN = "e2e-admin-token-0123456789abcdef";

/**
 * Postgres, a nats-server on the GENERATED operator-mode config, and the orchestrator and
 * gateway (in-process, as their `main` wires them) connecting with SERVICES user creds.
 */
export interface Services {
  dir: string;
  dataDir: string;
  db: TestDatabase;
  nats: TestNats;
  setup: OperatorSetup;
  orchestrator: RunningService;
  gateway: RunningService;
  /** PEM of the gateway's target signing key (what agents trust as the orchestrator's key). */
  targetKeyPem: string;
  close(): Promise<void>;
}

async function startSecuredNats(dir: string, setup: OperatorSetup): Promise<TestNats> {
  const port = await freePort();
  const storeDir = join(dir, "jetstream");
  const configFile = join(dir, "nats.conf");
  writeFileSync(
    configFile,
    renderServerConfig({ setup, port, storeDir, storeDirOnCommandLine: true }),
  );
  return startTestNats({ configFile, storeDir, port });
}

export async function startServices(): Promise<Services> {
  const dir = mkdtempSync(join(tmpdir(), "statecast-e2e-"));
  const dataDir = join(dir, "data");
  const setup = await ensureOperatorSetup(join(dir, "operator"));
  const nats = await startSecuredNats(dir, setup);
  const db = await createTestDatabase();
  const credsFile = join(dir, "services.creds");
  writeFileSync(credsFile, await issueServiceUser(setup, "e2e-services"), { mode: 0o600 });
  ensureTargetKey(dataDir);
  const env = {
    DATABASE_URL: db.url,
    NATS_URL: nats.url,
    NATS_CREDS: credsFile,
    STATECAST_DATA_DIR: dataDir,
    STATECAST_ADMIN_TOKEN: ADMIN_TOKEN,
    STATECAST_LOG_LEVEL: "error",
  };
  const orchestratorConfig = loadOrchestratorConfig({
    ...env,
    STATECAST_HTTP_PORT: String(await freePort()),
  });
  const orchestrator = await bootstrapApp(OrchestratorModule.register(orchestratorConfig), {
    name: "orchestrator",
    config: orchestratorConfig,
    configure: configureOperatorApi,
  });
  const gatewayConfig = loadGatewayConfig({
    ...env,
    STATECAST_HTTP_PORT: String(await freePort()),
  });
  const gateway = await bootstrapApp(GatewayModule.register(gatewayConfig), {
    name: "device-gateway",
    config: gatewayConfig,
  });
  return {
    dir,
    dataDir,
    db,
    nats,
    setup,
    orchestrator,
    gateway,
    targetKeyPem: readFileSync(targetKeyPaths(dataDir).publicKey, "utf8"),
    async close() {
      await gateway.close().catch(() => undefined);
      await orchestrator.close().catch(() => undefined);
      await nats.dispose();
      await db.drop();
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
}
