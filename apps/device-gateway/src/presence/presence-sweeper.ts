import { Logger } from "@nestjs/common";
import { decideOffline, evolveDevicePlane, initialDevicePlane } from "@statecast/device-domain";
import { ConcurrencyError, deviceStreamId, type PostgresEventStore } from "@statecast/events";
import type pg from "pg";
import { markOffline, silentDevices } from "./presence.repository.js";

// Any constant every gateway agrees on: one sweep at a time across replicas.
const SWEEP_LOCK = 0x5c_6a7e;

export interface PresenceOptions {
  /** Silence after which an online device is declared offline (default 90 s). */
  offlineAfterMs: number;
  /** How often a replica tries to sweep (default 10 s). */
  sweepEveryMs: number;
}

/** The time up to which every beat published has been ingested (see status-coverage.ts). */
export type IngestedUntil = (now: Date) => Promise<Date>;

/**
 * Declares silent devices offline: `DeviceWentOffline` once per online→offline transition.
 * Runs in every replica; the transaction-scoped advisory lock lets one sweep at a time.
 *
 * Silence is measured up to the time every beat published has been ingested, not up to now: a
 * gateway behind on the status backlog (an ingestion that fell minutes behind in a storm of
 * reports) would otherwise declare offline every device whose beats it has not read yet, and
 * the history would show devices that never went silent going offline and coming back. When
 * that time cannot be read (NATS unreachable), the sweep waits for the next one.
 */
export class PresenceSweeper {
  private readonly logger = new Logger("Presence");
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;

  constructor(
    private readonly store: PostgresEventStore,
    private readonly options: PresenceOptions,
    private readonly ingestedUntil: IngestedUntil = async (now) => now,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.sweeping ??= this.sweep()
        .catch((error: unknown) => {
          this.logger.warn(`presence sweep failed: ${(error as Error).message}`);
          return 0;
        })
        .finally(() => {
          this.sweeping = undefined;
        });
    }, this.options.sweepEveryMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  /** One sweep; returns how many devices went offline (0 when another replica holds the lock). */
  async sweep(now = new Date()): Promise<number> {
    const heardUntil = await this.ingestedUntil(now);
    const behindMs = now.getTime() - heardUntil.getTime();
    if (behindMs > this.options.offlineAfterMs)
      this.logger.warn(
        `status ingestion is ${Math.round(behindMs / 1000)} s behind: silence counts to then`,
      );
    const cutoff = new Date(heardUntil.getTime() - this.options.offlineAfterMs);
    // One attempt: a device whose stream moved meanwhile is decided again at the next sweep.
    return this.store.transaction("presence sweep", (client) => this.sweepIn(client, now, cutoff), {
      maxAttempts: 1,
    });
  }

  private async sweepIn(client: pg.ClientBase, now: Date, cutoff: Date): Promise<number> {
    let marked = 0;
    const { rows } = await client.query<{ locked: boolean }>(
      "SELECT pg_try_advisory_xact_lock($1) AS locked",
      [SWEEP_LOCK],
    );
    if (!rows[0]?.locked) return 0;
    for (const { deviceId, lastSeen } of await silentDevices(client, cutoff, 1000)) {
      const streamId = deviceStreamId(deviceId);
      const { events, version } = await this.store.readStream(streamId, { client });
      const state = events.reduce(evolveDevicePlane, initialDevicePlane());
      const event = decideOffline(state, lastSeen.toISOString());
      if (event) {
        const metadata = {
          correlationId: `presence:${deviceId}:${lastSeen.toISOString()}`,
          causationId: `presence:${deviceId}:${lastSeen.toISOString()}`,
          actor: "system:gateway-presence" as const,
          now: now.toISOString(),
        };
        try {
          await this.store.append(streamId, [{ ...event, metadata }], {
            expectedVersion: version,
            client,
          });
          marked++;
        } catch (error) {
          if (!(error instanceof ConcurrencyError)) throw error;
          continue; // the device stream moved meanwhile: decided again at the next sweep
        }
      }
      await markOffline(client, deviceId);
    }
    return marked;
  }
}
