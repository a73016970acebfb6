import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { AuthorizationError, connect, type NatsConnection } from "@nats-io/transport-node";
import {
  freePort,
  type NatsServer,
  natsServerBinary,
  startNatsServer,
  waitForPort,
} from "@statecast/infra";
import {
  createOperatorSetup,
  credsConnectionOptions,
  deviceConnectionOptions,
  issueDeviceUser,
  issueServiceUser,
  issueSiteCredentials,
  type OperatorSetup,
  openDeviceBuckets,
  renderServerConfig,
  revokeDevice,
  type ServerConfigOptions,
  tlsConnectionOptions,
  watchOwnTarget,
} from "./index.js";
import { permissionDenial } from "./secured-nats.test-helper.js";
import { ensureTlsFiles, type TlsFiles } from "./tls-setup.js";

/** As deploy/ runs them: TLS on every listener, routes with mutual TLS and route credentials. */
describe("a 3-node JetStream cluster with a site leaf node, from generated configs", () => {
  const dir = mkdtempSync(join(tmpdir(), "statecast-nats-cluster-"));
  const servers: NatsServer[] = [];
  let setup: OperatorSetup;
  let nodes: { url: string; leafPort: number }[];
  let site: ChildProcess;
  let siteUrl: string;
  let service: NatsConnection;
  let tls: TlsFiles;
  const pinned = () => tlsConnectionOptions(tls.caFile);
  const authorization = { user: "statecast-route", password: "route-secret-for-the-test" };

  const start = async (name: string, options: Omit<ServerConfigOptions, "setup" | "storeDir">) => {
    const storeDir = join(dir, name);
    const configFile = join(dir, `${name}.conf`);
    writeFileSync(
      configFile,
      renderServerConfig({ ...options, setup, storeDir, storeDirOnCommandLine: true, tls }),
    );
    const server = await startNatsServer({ configFile, storeDir, port: options.port });
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    setup = await createOperatorSetup(join(dir, "operator"));
    tls = await ensureTlsFiles(join(dir, "tls"), ["localhost", "127.0.0.1"]);
    const ports = await Promise.all(
      [1, 2, 3].map(async () => [await freePort(), await freePort(), await freePort()]),
    );
    const routes = ports.map(([, route]) => `nats-route://127.0.0.1:${route}`);
    nodes = await Promise.all(
      ports.map(async ([client, route, leaf], i) => {
        const server = await start(`node${i + 1}`, {
          port: client!,
          serverName: `node${i + 1}`,
          cluster: {
            name: "statecast",
            port: route!,
            routes: routes.filter((_, j) => j !== i),
            authorization,
          },
          leaf: { listenPort: leaf! },
        });
        return { url: server.url.replace("nats://", "tls://"), leafPort: leaf! };
      }),
    );
    const siteCreds = await issueSiteCredentials(setup, "site-a");
    const credentials = { services: "", devices: "", system: "" };
    for (const account of ["services", "devices", "system"] as const) {
      credentials[account] = join(dir, `site-${account}.creds`);
      writeFileSync(credentials[account], siteCreds[account], { mode: 0o600 });
    }
    // The site runs without JetStream, exactly as leaf.conf says (startNatsServer would add -js).
    const sitePort = await freePort();
    const siteConfig = join(dir, "site.conf");
    writeFileSync(
      siteConfig,
      renderServerConfig({
        setup,
        port: sitePort,
        storeDir: join(dir, "site"),
        serverName: "site-a",
        tls,
        leaf: {
          hub: {
            url: `nats-leaf://127.0.0.1:${nodes[0]!.leafPort}`,
            credentials,
          },
        },
      }),
    );
    site = spawn(natsServerBinary(), ["-c", siteConfig], {
      stdio: "ignore",
    });
    await waitForPort(sitePort, 15_000);
    siteUrl = `tls://127.0.0.1:${sitePort}`;
    service = await connect({
      servers: nodes.map((n) => n.url),
      ...pinned(),
      ...credsConnectionOptions(await issueServiceUser(setup, "gateway")),
    });
    // The JetStream meta leader, then the stream's own leader, need a moment after routes connect.
    const targets = await retry(() =>
      new Kvm(jetstream(service)).create("sc_targets", { replicas: 3, allow_direct: true }),
    );
    await retry(() => targets.put("dev-a", "target for a"));
    await targets.put("dev-b", "target for b");
  });

  afterAll(async () => {
    await service?.close();
    site?.kill("SIGKILL");
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps sc_targets on three replicas and serves a device on any node", async () => {
    const info = await (await jetstreamManager(service)).streams.info("KV_sc_targets");
    expect(info.config.num_replicas).toBe(3);
    expect(info.cluster?.replicas ?? []).toHaveLength(2);
    const { creds } = await issueDeviceUser(setup, "dev-a");
    const device = await connect({
      servers: nodes[2]!.url,
      ...pinned(),
      ...deviceConnectionOptions(creds!, "dev-a"),
    });
    const { targets } = await openDeviceBuckets(device, "dev-a");
    expect((await targets.get("dev-a"))?.string()).toBe("target for a");
    await device.close();
  });

  it("serves a device at the site from the hub's JetStream, with the same limits", async () => {
    const { creds } = await issueDeviceUser(setup, "dev-a");
    const device = await connect({
      servers: siteUrl,
      ...pinned(),
      ...deviceConnectionOptions(creds!, "dev-a"),
    });
    const { targets } = await openDeviceBuckets(device, "dev-a");
    expect((await targets.get("dev-a"))?.string()).toBe("target for a");
    const watch = await watchOwnTarget(device, "dev-a");
    for await (const entry of watch) {
      expect(entry.string()).toBe("target for a"); // delivered from the hub over the leaf link
      break;
    }
    watch.stop();
    const denial = await permissionDenial(targets.get("dev-b"));
    expect(denial.subject).toContain("$KV.sc_targets.dev-b");
    await device.close();
  });

  it("carries a revocation pushed to one hub node to the other nodes and the site", async () => {
    const issued = await issueDeviceUser(setup, "dev-c");
    const on = (server: string) => ({
      servers: server,
      reconnect: false,
      ...pinned(),
      ...deviceConnectionOptions(issued.creds!, "dev-c"),
    });
    const atSite = await connect(on(siteUrl));
    const atNode3 = await connect(on(nodes[2]!.url));
    await revokeDevice(setup, issued.publicKey, { servers: nodes[0]!.url, caFile: tls.caFile });
    await Promise.all([atSite.closed(), atNode3.closed()]);
    for (const server of [siteUrl, nodes[1]!.url, nodes[2]!.url]) {
      await expect(connect(on(server)), server).rejects.toBeInstanceOf(AuthorizationError);
    }
  });
});

async function retry<T>(operation: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (err) {
      if (attempt >= 40) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
