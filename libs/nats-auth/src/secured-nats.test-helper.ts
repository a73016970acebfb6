import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { Objm } from "@nats-io/obj";
import { connect, type NatsConnection, PermissionViolationError } from "@nats-io/transport-node";
import { freePort } from "@statecast/infra";
import { startTestNats, type TestNats } from "@statecast/testing";
import {
  createOperatorSetup,
  credsConnectionOptions,
  deviceConnectionOptions,
  issueDeviceUser,
  issueServiceUser,
  loadOperatorSetup,
  OBJECTS_BUCKET,
  type OperatorSetup,
  renderServerConfig,
  TARGETS_BUCKET,
} from "./index.js";

export interface SecuredNats {
  setup: OperatorSetup;
  nats: TestNats;
  /** A connected service user that created SC_DEVICE_STATUS, sc_targets and sc_objects. */
  service: NatsConnection;
  /** Stops the server and starts it again from a freshly rendered config (same port and store). */
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

/** A fresh operator setup and a private nats-server running the generated configuration. */
export async function startSecuredNats(): Promise<SecuredNats> {
  const dir = mkdtempSync(join(tmpdir(), "statecast-nats-auth-"));
  const setup = await createOperatorSetup(join(dir, "operator"));
  const port = await freePort();
  const storeDir = join(dir, "js");
  const configFile = join(dir, "nats.conf");
  const start = async () => {
    const current = loadOperatorSetup(setup.dir); // picks up revocations made since
    const config = renderServerConfig({
      setup: current,
      port,
      storeDir,
      storeDirOnCommandLine: true,
    });
    writeFileSync(configFile, config);
    return startTestNats({ configFile, storeDir, port });
  };
  let nats = await start();
  const service = await connect({
    servers: nats.url,
    ...credsConnectionOptions(await issueServiceUser(setup, "test-service")),
  });
  await createDevicePlaneStreams(service);
  return {
    setup,
    get nats() {
      return nats;
    },
    service,
    restart: async () => {
      await nats.dispose();
      nats = await start();
    },
    dispose: async () => {
      await service.close();
      await nats.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function createDevicePlaneStreams(nc: NatsConnection): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: "SC_DEVICE_STATUS", subjects: ["sc.dev.*.status"] });
  const js = jetstream(nc);
  await new Kvm(js).create(TARGETS_BUCKET, { history: 1, allow_direct: true });
  await new Objm(js).create(OBJECTS_BUCKET);
}

/** Resolves with the next permission violation the server reports on `nc`. */
export function nextPermissionViolation(nc: NatsConnection): Promise<PermissionViolationError> {
  return (async () => {
    for await (const status of nc.status()) {
      if (status.type === "error" && status.error instanceof PermissionViolationError) {
        return status.error;
      }
    }
    throw new Error("connection closed before any permission violation was reported");
  })();
}

/** A device connected with freshly issued credentials, as the agent would connect. */
export async function connectDevice(env: SecuredNats, deviceId: string): Promise<NatsConnection> {
  const { creds } = await issueDeviceUser(env.setup, deviceId);
  return connect({
    servers: env.nats.url,
    reconnect: false,
    ...deviceConnectionOptions(creds!, deviceId),
  });
}

/** The permission violation behind a failed operation (requests wrap it as their `cause`). */
export async function permissionDenial(
  operation: Promise<unknown>,
): Promise<PermissionViolationError> {
  try {
    await operation;
  } catch (err) {
    for (let e: unknown = err; e instanceof Error; e = e.cause) {
      if (e instanceof PermissionViolationError) return e;
    }
    throw err;
  }
  throw new Error("expected a permission violation, but the operation succeeded");
}
