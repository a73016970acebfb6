import type { KV } from "@nats-io/kv";
import { Logger } from "@nestjs/common";
import { DeviceEvents, isEvent, type RecordedEvent } from "@statecast/events";
import {
  deviceRevocations,
  type GatewaySetup,
  pushAccountJwt,
  type Revocations,
  updateDeviceRevocations,
} from "@statecast/nats-auth";
import type { GatewayView } from "../view/gateway-view.js";

/** The durable consumer of `DeviceCredentialsRevoked` on SC_EVENTS. */
export const CREDENTIAL_REVOKER = "gateway-credential-revoker";
/** KV bucket of revoked device keys (key: the public key, value: the revocation's second). */
export const REVOCATIONS_BUCKET = "sc_device_revocations";

export interface CredentialRevokerOptions {
  /** The running nats-servers the new DEVICES account JWT is pushed to. */
  servers: string | string[];
  /** The servers' CA file (NATS_CA): the push goes over TLS trusting only it. */
  caFile?: string | undefined;
}

/**
 * On `DeviceCredentialsRevoked`, revokes every user JWT issued so far to that public key and
 * pushes the DEVICES account JWT to the servers: the device's open connection is closed and it
 * cannot reconnect. The events are the record: the JWT is re-signed (operator signing key) with
 * every revocation in the list, in memory, since the gateway's setup is mounted read-only. The
 * list is the `sc_device_revocations` bucket all replicas share, so none drops another's
 * revocation: each `DeviceCredentialsRevoked` arrives over SC_EVENTS (consumer
 * `gateway-credential-revoker`) and is added to it before the push; a failed push fails the
 * handler, so the event comes again. An empty bucket (first start of this release, a server
 * whose JetStream was lost) is filled from the gateway's view (GatewayView) first. Revoking twice
 * is harmless.
 */
export class CredentialRevoker {
  private readonly logger = new Logger("CredentialRevoker");
  private started: Promise<void> | undefined;
  private pushing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly view: GatewayView,
    private readonly revocations: KV,
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
  start(): Promise<void> {
    this.started ??= this.rebuild().then(
      () => undefined,
      (error: Error) => this.logger.error(`revocation list not pushed: ${error.message}`),
    );
    return this.started;
  }

  /** A `DeviceCredentialsRevoked` from SC_EVENTS: its key revoked and the JWT pushed. */
  async revoke(event: RecordedEvent): Promise<void> {
    if (!isEvent(event, DeviceEvents.DeviceCredentialsRevoked)) return;
    const key = String(event.data.publicKey);
    await this.revokeKey(key, event.recordedAt);
    this.logger.log(`credentials of ${event.streamId} revoked (key ${key})`);
  }

  /** Adds `key` (revoked at `at`) to the list and pushes it; answers the list's size. */
  async revokeKey(key: string, at: Date): Promise<number> {
    await this.start();
    await this.revocations.put(key, String(Math.floor(at.getTime() / 1000)));
    return this.rebuild();
  }

  /** Signs and pushes the DEVICES JWT with every revocation in the list; returns their count. */
  async rebuild(): Promise<number> {
    let list = await this.list();
    if (Object.keys(list).length === 0) list = await this.fillFromView();
    const count = Object.keys(list).length;
    if (count > 0) await this.push(list);
    return count;
  }

  private async list(): Promise<Revocations> {
    const list: Revocations = {};
    for await (const key of await this.revocations.keys()) {
      const entry = await this.revocations.get(key);
      if (entry?.operation === "PUT") list[key] = Number(entry.string());
    }
    return list;
  }

  /** Every `DeviceCredentialsRevoked` in the view, at its recorded second, into the bucket. */
  private async fillFromView(): Promise<Revocations> {
    const list: Revocations = {};
    for (const { key, at } of await this.view.revokedKeys()) {
      list[key] = Math.floor(at.getTime() / 1000);
      await this.revocations.put(key, String(list[key]));
    }
    return list;
  }

  /** Re-signs the DEVICES JWT with `revocations` added (later times win) and pushes it. */
  private push(revocations: Revocations): Promise<void> {
    // One push at a time: each signs on top of the last one's JWT.
    const next = this.pushing.then(() => this.pushNow(revocations));
    this.pushing = next.catch(() => undefined);
    return next;
  }

  private async pushNow(revocations: Revocations): Promise<void> {
    const current = deviceRevocations(this.setup);
    const missing: Revocations = {};
    for (const [key, second] of Object.entries(revocations)) {
      if ((current[key] ?? 0) < second) missing[key] = second;
    }
    const updated = await updateDeviceRevocations(this.setup, missing);
    await pushAccountJwt(updated, this.options.servers, { caFile: this.options.caFile });
    this.setup = updated;
  }
}
