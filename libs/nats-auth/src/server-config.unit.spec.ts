import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ValidationError } from "@statecast/contract";
import { PLACEHOLDER_IDENTITIES, renderDeployConfigs } from "./deploy-configs.js";
import { renderServerConfig } from "./index.js";

const setup = PLACEHOLDER_IDENTITIES;

describe("renderServerConfig", () => {
  it("runs in operator mode with a full resolver that preloads every account", () => {
    const text = renderServerConfig({ setup, port: 4333, storeDir: "/data/nats" });
    expect(text).toContain('operator: "<contents of operator.jwt>"');
    expect(text).toContain('system_account: "SYSTEM_ACCOUNT_PUBLIC_KEY"');
    expect(text).toMatch(/resolver: \{\n {2}type: full\n {2}dir: "\/data\/nats\/accounts"/);
    expect(text).toContain('SERVICES_ACCOUNT_PUBLIC_KEY: "<contents of services-account.jwt>"');
    expect(text).toContain('DEVICES_ACCOUNT_PUBLIC_KEY: "<contents of devices-account.jwt>"');
    expect(text).toContain('jetstream: {\n  store_dir: "/data/nats"\n}');
    expect(text).toContain('host: "127.0.0.1"\nport: 4333');
  });

  it("leaves the store directory to the command line when asked", () => {
    const text = renderServerConfig({
      setup,
      port: 1,
      storeDir: "/s",
      storeDirOnCommandLine: true,
    });
    expect(text).toContain("jetstream: enabled");
    expect(text).not.toContain("store_dir");
  });

  it("gives a site a cache resolver, no JetStream, and links for each account to its hub", () => {
    const text = renderServerConfig({
      setup,
      port: 1,
      storeDir: "/s",
      leaf: {
        hub: {
          url: "nats-leaf://hub:7422",
          credentials: { services: "/s", devices: "/d", system: "/y" },
        },
      },
    });
    expect(text).toContain("type: cache");
    expect(text).not.toContain("jetstream");
    expect(text).toContain('credentials: "/s", account: "SERVICES_ACCOUNT_PUBLIC_KEY"');
    expect(text).toContain('credentials: "/d", account: "DEVICES_ACCOUNT_PUBLIC_KEY"');
    expect(text).toContain('credentials: "/y", account: "SYSTEM_ACCOUNT_PUBLIC_KEY"');
  });

  it("refuses a cluster node without a server name", () => {
    expect(() =>
      renderServerConfig({
        setup,
        port: 1,
        storeDir: "/s",
        cluster: { name: "c", port: 6222, routes: [] },
      }),
    ).toThrow(ValidationError);
  });
});

describe("deploy/nats", () => {
  it("holds exactly what render-deploy.ts generates (run it after changing the generator)", () => {
    const deployDir = join(import.meta.dirname, "../../../deploy/nats");
    const configs = renderDeployConfigs(PLACEHOLDER_IDENTITIES);
    expect(Object.keys(configs).sort()).toEqual([
      "cluster-node1.conf",
      "cluster-node2.conf",
      "cluster-node3.conf",
      "leaf.conf",
      "single.conf",
    ]);
    for (const [file, text] of Object.entries(configs)) {
      expect(readFileSync(join(deployDir, file), "utf8"), file).toBe(text);
    }
  });

  it("routes each cluster node to the two others, with the route credentials", () => {
    const configs = renderDeployConfigs(PLACEHOLDER_IDENTITIES, "s3cret/+");
    for (const n of [1, 2, 3]) {
      const text = configs[`cluster-node${n}.conf`]!;
      expect(text).toContain(`server_name: "nats-${n}"`);
      expect(text).not.toContain(`nats-route://nats-${n}:`);
      expect(text.match(/nats-route:\/\/statecast-route:s3cret%2F%2B@nats-\d:6222/g)).toHaveLength(
        2,
      );
      expect(text).toContain(
        'authorization: {\n    user: "statecast-route"\n    password: "s3cret/+"',
      );
    }
  });

  it("puts TLS on every listener: clients, routes (mutual) and leaf nodes, and a site's hub link", () => {
    const configs = renderDeployConfigs(PLACEHOLDER_IDENTITIES);
    const tlsBlock = (indent: string) =>
      `${indent}tls: {\n${indent}  cert_file: "/etc/nats/tls/server-cert.pem"\n${indent}  key_file: "/etc/nats/tls/server-key.pem"\n${indent}  ca_file: "/etc/nats/tls/ca.pem"\n`;
    for (const text of Object.values(configs)) {
      expect(text).toMatch(/^port: 4222\ntls: \{/m);
      expect(text).toContain(tlsBlock(""));
    }
    const node = configs["cluster-node1.conf"]!;
    expect(node).toMatch(/cluster: \{[\s\S]*tls: \{[^}]*verify: true[^}]*\}[\s\S]*routes:/);
    expect(node).toMatch(/leafnodes: \{\n {2}listen: "0\.0\.0\.0:7422"\n {2}tls: \{/);
    expect(configs["leaf.conf"]).toContain('tls: { ca_file: "/etc/nats/tls/ca.pem" } }');
  });
});
