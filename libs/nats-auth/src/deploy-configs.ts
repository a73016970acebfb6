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
export const CLUSTER_NODES = ["nats-1", "nats-2", "nats-3"];
/** Where the servers find their certificate, key and CA (a Secret / read-only mount). */
export const DEPLOY_TLS = {
  certFile: "/etc/nats/tls/server-cert.pem",
  keyFile: "/etc/nats/tls/server-key.pem",
  caFile: "/etc/nats/tls/ca.pem",
} as const;
/** The route credentials of the templates; `render-deploy.ts --setup` puts a random one. */
export const PLACEHOLDER_ROUTE_PASSWORD = "ROUTE_PASSWORD";
const ROUTE_USER = "statecast-route";

/**
 * The nats-server configs under `deploy/nats`: a single node, a 3-node JetStream cluster (streams
 * and buckets are created with `num_replicas: 3` by the services), and a site leaf node. Every
 * hub accepts leaf connections on 7422. Every listener is TLS (`DEPLOY_TLS`); routes need the
 * route password and a certificate of the CA (mutual TLS).
 */
export function renderDeployConfigs(
  setup: ServerIdentities,
  routePassword = PLACEHOLDER_ROUTE_PASSWORD,
): Record<string, string> {
  const common = {
    setup,
    port: CLIENT_PORT,
    storeDir: STORE_DIR,
    host: "0.0.0.0",
    tls: { ...DEPLOY_TLS },
  };
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
        authorization: { user: ROUTE_USER, password: routePassword },
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
