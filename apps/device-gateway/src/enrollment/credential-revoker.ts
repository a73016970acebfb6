import { Logger } from "@nestjs/common";
import {
  DeviceEvents,
  isEvent,
  type PostgresEventStore,
  type RunningProcessor,
  runProcessor,
} from "@statecast/events";
import {
  deviceRevocations,
  type GatewaySetup,
  pushAccountJwt,
  type Revocations,
  updateDeviceRevocations,
} from "@statecast/nats-auth";

export const CREDENTIAL_REVOKER = "gateway-credential-revoker";

export interface CredentialRevokerOptions {
  /** The running nats-servers the new DEVICES account JWT is pushed to. */
  servers: string | string[];
  /** The servers' CA file (NATS_CA): the push goes over TLS trusting only it. */
  caFile?: string | undefined;
  pollIntervalMs?: number;
}

/**
 * On `DeviceCredentialsRevoked`, revokes every user JWT issued so far to that public key and
 * pushes the DEVICES account JWT to the servers: the device's open connection is closed and it
 * cannot reconnect. The events are the record: the JWT is re-signed (operator signing key) with
 * every revocation in the history, in memory, since the gateway's setup is mounted read-only;
 * so replicas never drop each other's revocations. One replica at a time (processor lock); a
 * failed push is retried with the batch, and revoking a key twice is harmless.
 */
export class CredentialRevoker {
  private readonly logger = new Logger("CredentialRevoker");
  private processor: RunningProcessor | undefined;

  constructor(
    private readonly store: PostgresEventStore,
    private setup: GatewaySetup,
    private readonly options: CredentialRevokerOptions,
  ) {}

  /** The DEVICES JWT as last signed and pushed (what the servers enforce). */
  get current(): GatewaySetup {
    return this.setup;
  }

  /**
   * Pushes the revocation list rebuilt from the event history first (every
   * `DeviceCredentialsRevoked`, at its recorded time): a server restarted from a config rendered
   * before the revocations gets every one back.
   */
  async start(): Promise<void> {
    await this.rebuild().catch((error: Error) =>
      this.logger.error(`revocation list not rebuilt from the events: ${error.message}`),
    );
    this.processor = runProcessor(this.store, {
      name: CREDENTIAL_REVOKER,
      types: ["DeviceCredentialsRevoked"],
      ...(this.options.pollIntervalMs ? { pollIntervalMs: this.options.pollIntervalMs } : {}),
      handle: async (events) => {
        const keys = events
          .filter((event) => isEvent(event, DeviceEvents.DeviceCredentialsRevoked))
          .map((event) => ({ stream: event.streamId, key: String(event.data.publicKey) }));
        if (keys.length === 0) return;
        await this.rebuild();
        for (const { stream, key } of keys) {
          this.logger.log(`credentials of ${stream} revoked (key ${key})`);
        }
      },
      onError: (error) => this.logger.error(`revocation failed, retrying: ${error.message}`),
    });
  }

  /** Signs and pushes the DEVICES JWT with every revocation in the events; returns their count. */
  async rebuild(): Promise<number> {
    const { rows } = await this.store.pool.query<{ key: string; at: Date }>(
      `SELECT data ->> 'publicKey' AS key, max(recorded_at) AS at FROM events
        WHERE type = 'DeviceCredentialsRevoked' GROUP BY 1`,
    );
    const current = deviceRevocations(this.setup);
    const missing: Revocations = {};
    for (const { key, at } of rows) {
      const second = Math.floor(at.getTime() / 1000);
      if ((current[key] ?? 0) < second) missing[key] = second;
    }
    if (rows.length === 0) return 0;
    const updated = await updateDeviceRevocations(this.setup, missing);
    await pushAccountJwt(updated, this.options.servers, { caFile: this.options.caFile });
    this.setup = updated;
    return rows.length;
  }

  async stop(): Promise<void> {
    await this.processor?.stop();
  }
}
