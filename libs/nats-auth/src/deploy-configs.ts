import type { ServerIdentities } from "./operator-setup.js";
import { renderServerConfig } from "./server-config.js";

/** Where secrets and site-specific values go in the committed `deploy/nats` templates. */
export const PLACEHOLDER_IDENTITIES: ServerIdentities = {
  operator: { publicKey: "OPERATOR_PUBLIC_KEY", jwt: "<contents of operator.jwt>" },
  systemAccount: {
    publicKey: "SYSTEM_ACCOUNT_PUBLIC_KEY",
    jwt: "<contents of system-account.jwt>",
  },
  servicesAccount: {
    publicKey: "SERVICES_ACCOUNT_PUBLIC_KEY",
    jwt: "<contents of services-account.jwt>",
  },
  devicesAccount: {
    publicKey: "DEVICES_ACCOUNT_PUBLIC_KEY",
    jwt: "<contents of devices-account.jwt>",
  },
};

const CLIENT_PORT = 4222;
const ROUTE_PORT = 6222;
const LEAF_PORT = 7422;
const STORE_DIR = "/var/lib/nats";
const CLUSTER_NODES = ["nats-1", "nats-2", "nats-3"];

/**
 * The nats-server configs under `deploy/nats`: a single node, a 3-node JetStream cluster (streams
 * and buckets are created with `num_replicas: 3` by the services), and a site leaf node. Every
 * hub accepts leaf connections on 7422.
 */
export function renderDeployConfigs(setup: ServerIdentities): Record<string, string> {
  const common = { setup, port: CLIENT_PORT, storeDir: STORE_DIR, host: "0.0.0.0" };
  const hub = common;
  const configs: Record<string, string> = {
    "single.conf": renderServerConfig({
      ...hub,
      serverName: "statecast-nats",
      leaf: { listenPort: LEAF_PORT },
    }),
  };
  CLUSTER_NODES.forEach((node, i) => {
    configs[`cluster-node${i + 1}.conf`] = renderServerConfig({
      ...hub,
      serverName: node,
      cluster: {
        name: "statecast",
        port: ROUTE_PORT,
        routes: CLUSTER_NODES.filter((other) => other !== node).map(
          (other) => `nats-route://${other}:${ROUTE_PORT}`,
        ),
      },
      leaf: { listenPort: LEAF_PORT },
    });
  });
  configs["leaf.conf"] = renderServerConfig({
    ...common,
    serverName: "statecast-site-SITE_NAME",
    leaf: {
      hub: {
        url: `nats-leaf://nats-1:${LEAF_PORT}`,
        credentials: {
          services: "/etc/nats/site-services.creds",
          devices: "/etc/nats/site-devices.creds",
          system: "/etc/nats/site-system.creds",
        },
      },
    },
  });
  return configs;
}
