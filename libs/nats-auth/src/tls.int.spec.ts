import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { freePort, type NatsServer, startNatsServer } from "@statecast/infra";
import { ensureTlsFiles, type TlsFiles } from "@statecast/nats-auth/tls-setup";
import {
  type ClusterOptions,
  createOperatorSetup,
  credsConnectionOptions,
  deviceConnectionOptions,
  issueDeviceUser,
  issueServiceUser,
  type OperatorSetup,
  renderServerConfig,
  tlsConnectionOptions,
} from "./index.js";

/**
 * The generated configs with TLS (a CA and server certificate made by `ensureTlsFiles`): clients
 * pin the CA, and routes need both the route credentials and a certificate of the same CA.
 */
describe("TLS on the generated configs (real nats-server)", () => {
  const dir = mkdtempSync(join(tmpdir(), "statecast-nats-tls-"));
  const servers: NatsServer[] = [];
  const connections: NatsConnection[] = [];
  let setup: OperatorSetup;
  let tls: TlsFiles;
  let otherCa: TlsFiles;
  let servicesCreds: string;

  const start = async (
    name: string,
    files: TlsFiles,
    cluster?: Omit<ClusterOptions, "name">,
  ): Promise<string> => {
    const port = await freePort();
    const storeDir = join(dir, name);
    const configFile = join(dir, `${name}.conf`);
    const config = renderServerConfig({
      setup,
      port,
      storeDir,
      storeDirOnCommandLine: true,
      tls: files,
      ...(cluster ? { serverName: name, cluster: { name: "tls-test", ...cluster } } : {}),
    });
    writeFileSync(configFile, config);
    servers.push(await startNatsServer({ configFile, storeDir, port }));
    return `tls://127.0.0.1:${port}`;
  };
  const service = async (url: string, ca = tls): Promise<NatsConnection> => {
    const nc = await connect({
      servers: url,
      reconnect: false,
      ...tlsConnectionOptions(ca.caFile),
      ...credsConnectionOptions(servicesCreds),
    });
    connections.push(nc);
    return nc;
  };

  beforeAll(async () => {
    setup = await createOperatorSetup(join(dir, "operator"));
    servicesCreds = await issueServiceUser(setup, "tls-test");
    tls = await ensureTlsFiles(join(dir, "tls"), ["localhost", "127.0.0.1"]);
    otherCa = await ensureTlsFiles(join(dir, "other-ca"), ["localhost", "127.0.0.1"]);
  });
  afterAll(async () => {
    for (const nc of connections) await nc.close().catch(() => undefined);
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("a device pinning the CA connects; without it, with another CA or in plaintext it is refused", async () => {
    const url = await start("single", tls);
    const { creds } = await issueDeviceUser(setup, "tls-dev");
    const device = (extra: object, servers = url) =>
      connect({
        servers,
        reconnect: false,
        timeout: 3_000,
        ...deviceConnectionOptions(creds!, "tls-dev"),
        ...extra,
      });
    const pinned = await device(tlsConnectionOptions(tls.caFile));
    connections.push(pinned);
    await pinned.flush();
    expect(pinned.info?.tls_required).toBe(true);

    await expect(device({})).rejects.toThrow(/certificate|self[- ]signed|TLS/i);
    await expect(device(tlsConnectionOptions(otherCa.caFile))).rejects.toThrow(
      /certificate|signature|TLS/i,
    );
    await expect(device({}, url.replace("tls://", "nats://"))).rejects.toThrow();
  });

  it("joins routes that carry the credentials and a certificate of the CA, and no others", async () => {
    const [a, b, rogueCert, roguePassword] = await Promise.all([1, 2, 3, 4].map(() => freePort()));
    const routeTo = (port: number | undefined) => `nats-route://127.0.0.1:${port}`;
    const authorization = { user: "route", password: "a-long-route-secret" };
    const node1 = await start("node1", tls, { port: a!, routes: [routeTo(b)], authorization });
    const node2 = await start("node2", tls, { port: b!, routes: [routeTo(a)], authorization });
    // Both dial node1 as a route: one with another CA's certificate, one with a wrong password.
    const strangers: [string, TlsFiles][] = [
      [
        await start("rogue-cert", otherCa, {
          port: rogueCert!,
          routes: [routeTo(a)],
          authorization,
        }),
        otherCa,
      ],
      [
        await start("rogue-password", tls, {
          port: roguePassword!,
          routes: [routeTo(a)],
          authorization: { user: "route", password: "guessed" },
        }),
        tls,
      ],
    ];
    const received = async (url: string, subject: string, ca = tls) => {
      const nc = await service(url, ca);
      const sub = nc.subscribe(subject);
      await nc.flush();
      return sub;
    };
    const friend = await received(node2, "tls.route");
    const rogues = await Promise.all(strangers.map(([url, ca]) => received(url, "tls.route", ca)));
    const publisher = await service(node1);
    const deadline = Date.now() + 3_000;
    while (friend.getReceived() === 0 && Date.now() < deadline) {
      publisher.publish("tls.route", "hello");
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(friend.getReceived()).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1_000)); // the strangers had their chance to join
    publisher.publish("tls.route", "again");
    await publisher.flush();
    for (const rogue of rogues) expect(rogue.getReceived()).toBe(0);
  });
});
