import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { Objm } from "@nats-io/obj";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { freePort } from "@statecast/infra";
import {
  createOperatorSetup,
  credsConnectionOptions,
  issueServiceUser,
  OBJECTS_BUCKET,
  type OperatorSetup,
  renderServerConfig,
  TARGETS_BUCKET,
} from "@statecast/nats-auth";
import { startTestNats, type TestNats } from "@statecast/testing";
import { STATUS_STREAM } from "./gateway-side.test-helper.js";

/**
 * A private nats-server running the generated operator configuration (SERVICES owns
 * JetStream, DEVICES imports the device plane), with the device-plane streams created by a
 * service user: what an agent meets in production, for the enrollment tests.
 */
export interface SecuredNats {
  setup: OperatorSetup;
  nats: TestNats;
  service: NatsConnection;
  dispose(): Promise<void>;
}

export async function startSecuredNats(): Promise<SecuredNats> {
  const dir = mkdtempSync(join(tmpdir(), "sc-agent-secured-nats-"));
  const setup = await createOperatorSetup(join(dir, "operator"));
  const port = await freePort();
  const storeDir = join(dir, "js");
  const configFile = join(dir, "nats.conf");
  writeFileSync(
    configFile,
    renderServerConfig({ setup, port, storeDir, storeDirOnCommandLine: true }),
  );
  const nats = await startTestNats({ configFile, storeDir, port });
  const service = await connect({
    servers: nats.url,
    ...credsConnectionOptions(await issueServiceUser(setup, "agent-test-service")),
  });
  const jsm = await jetstreamManager(service);
  await jsm.streams.add({ name: STATUS_STREAM, subjects: ["sc.dev.*.status"] });
  const js = jetstream(service);
  await new Kvm(js).create(TARGETS_BUCKET, { history: 1, allow_direct: true });
  await new Objm(js).create(OBJECTS_BUCKET);
  return {
    setup,
    nats,
    service,
    dispose: async () => {
      await service.close().catch(() => undefined);
      await nats.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
