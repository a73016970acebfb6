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
  loadOperatorSetup,
  type OperatorSetup,
  pushAccountJwt,
  type Revocations,
  revokeDevice,
  updateDeviceRevocations,
} from "@statecast/nats-auth";

export const CREDENTIAL_REVOKER = "gateway-credential-revoker";

export interface CredentialRevokerOptions {
  /** The running nats-servers the new DEVICES account JWT is pushed to. */
  servers: string | string[];
  pollIntervalMs?: number;
}

/**
 * On `DeviceCredentialsRevoked`, revokes every user JWT issued so far to that public key and
 * pushes the DEVICES account JWT to the servers: the device's open connection is closed and it
 * cannot reconnect. One replica at a time (processor lock); a failed push is retried with the
 * batch, and revoking a key twice is harmless. Replicas must share the setup directory (one
 * volume): it holds the DEVICES JWT with every revocation so far.
 */
export class CredentialRevoker {
  private readonly logger = new Logger("CredentialRevoker");
  private processor: RunningProcessor | undefined;

  constructor(
    private readonly store: PostgresEventStore,
    private setup: OperatorSetup,
    private readonly options: CredentialRevokerOptions,
  ) {}

  /**
   * Rebuilds the revocation list from the event history first (every `DeviceCredentialsRevoked`,
   * at its recorded time): a setup directory restored from an old backup, or one that lost a
   * write, gets back every revocation the processor's checkpoint has already passed.
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
        for (const event of events) {
          if (!isEvent(event, DeviceEvents.DeviceCredentialsRevoked)) continue;
          const { publicKey } = event.data;
          // Reloaded first: another replica (sharing the setup dir) may have revoked keys since,
          // and re-signing from a stale DEVICES JWT would drop its revocations.
          this.setup = await revokeDevice(loadOperatorSetup(this.setup.dir), publicKey, {
            servers: this.options.servers,
            at: new Date(),
          });
          this.logger.log(`credentials of ${event.streamId} revoked (key ${publicKey})`);
        }
      },
      onError: (error) => this.logger.error(`revocation failed, retrying: ${error.message}`),
    });
  }

  async rebuild(): Promise<number> {
    const { rows } = await this.store.pool.query<{ key: string; at: Date }>(
      `SELECT data ->> 'publicKey' AS key, max(recorded_at) AS at FROM events
        WHERE type = 'DeviceCredentialsRevoked' GROUP BY 1`,
    );
    this.setup = loadOperatorSetup(this.setup.dir);
    const current = deviceRevocations(this.setup);
    const missing: Revocations = {};
    for (const { key, at } of rows) {
      const second = Math.floor(at.getTime() / 1000);
      if ((current[key] ?? 0) < second) missing[key] = second;
    }
    const count = Object.keys(missing).length;
    if (count === 0) return 0;
    this.setup = await updateDeviceRevocations(this.setup, missing);
    await pushAccountJwt(this.setup, this.options.servers);
    this.logger.warn(`${count} revocation(s) missing from the setup restored from the events`);
    return count;
  }

  async stop(): Promise<void> {
    await this.processor?.stop();
  }
}
