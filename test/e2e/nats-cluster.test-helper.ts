import { appendFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { freePort, type NatsServer, startNatsServer } from "@statecast/infra";
import {
  credsConnectionOptions,
  type OperatorSetup,
  renderServerConfig,
} from "@statecast/nats-auth";
import type { NatsEndpoint } from "./services.test-helper.js";

export interface NatsCluster extends NatsEndpoint {
  /** node1…node3, in the order of `nodes`. */
  readonly names: readonly string[];
  /** Starts node `index` again on its config, port and store (as a supervisor would). */
  restart(index: number): Promise<NatsServer>;
}

/**
 * A 3-node nats-server JetStream cluster on the GENERATED operator-mode config (each node its own
 * store, routes to the other two), started together; resolves once JetStream answers with a
 * meta leader, i.e. an R3 stream can be created.
 */
export async function startSecuredCluster(
  dir: string,
  setup: OperatorSetup,
  servicesCreds: string,
): Promise<NatsCluster> {
  mkdirSync(dir, { recursive: true });
  const ports: { client: number; route: number }[] = [];
  for (let i = 0; i < 3; i++) ports.push({ client: await freePort(), route: await freePort() });
  const routes = ports.map((p) => `nats-route://127.0.0.1:${p.route}`);
  const names = ports.map((_, i) => `node${i + 1}`);
  const start = (i: number) => {
    const p = ports[i]!;
    const storeDir = join(dir, names[i]!);
    const configFile = join(dir, `${names[i]}.conf`);
    writeFileSync(
      configFile,
      renderServerConfig({
        setup,
        port: p.client,
        storeDir,
        storeDirOnCommandLine: true,
        serverName: names[i]!,
        cluster: {
          name: "statecast-e2e",
          port: p.route,
          routes: routes.filter((_, j) => j !== i),
        },
      }),
    );
    // E2E_NATS_LOG_DIR=/some/dir keeps each node's own log there (diagnosing a slow failover).
    const logDir = process.env.E2E_NATS_LOG_DIR;
    const onLog = logDir
      ? (line: string) => appendFileSync(join(logDir, `${names[i]}.log`), `${line}\n`)
      : undefined;
    return startNatsServer({ configFile, storeDir, port: p.client, ...(onLog ? { onLog } : {}) });
  };
  const nodes: NatsServer[] = await Promise.all(ports.map((_, i) => start(i)));
  const url = nodes.map((n) => n.url).join(",");
  const dispose = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  };
  try {
    await untilJetStreamClustered(nodes, servicesCreds);
  } catch (error) {
    await dispose();
    throw error;
  }
  const restart = async (index: number) => {
    if (nodes[index]!.process.exitCode === null && nodes[index]!.process.signalCode === null)
      throw new Error(`${names[index]} is still running`);
    nodes[index] = await start(index);
    return nodes[index]!;
  };
  return { url, nodes, names, restart, dispose };
}

async function untilJetStreamClustered(nodes: NatsServer[], creds: string): Promise<void> {
  const nc = await connect({
    servers: nodes.map((n) => n.url),
    ...credsConnectionOptions(creds),
  });
  try {
    const jsm = await jetstreamManager(nc, { checkAPI: false });
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await jsm.streams.add({ name: "E2E_PROBE", subjects: ["e2e.probe"], num_replicas: 3 });
        await jsm.streams.delete("E2E_PROBE");
        return;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`the cluster's JetStream is not ready: ${(error as Error).message}`);
        await sleep(250);
      }
    }
  } finally {
    await nc.close();
  }
}

/** The client URL of the node that leads `stream` (its RAFT group leader). */
export async function streamLeader(
  nc: NatsConnection,
  cluster: NatsCluster,
  stream: string,
): Promise<NatsServer> {
  const info = await (await jetstreamManager(nc)).streams.info(stream);
  const index = cluster.names.indexOf(info.cluster?.leader ?? "");
  if (index < 0) throw new Error(`no leader named for ${stream}: ${JSON.stringify(info.cluster)}`);
  return cluster.nodes[index]!;
}
