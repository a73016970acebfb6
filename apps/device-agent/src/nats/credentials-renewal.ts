import type { NatsConnection } from "@nats-io/transport-node";
import { helloOf, sayHello } from "../enroll/enroll.js";
import { credsKeyPair, credsLifetime, credsText } from "../enroll/identity.js";
import { writeFileAtomic } from "../fs/atomic.js";
import type { Logger } from "../log.js";

export interface RenewalOptions {
  deviceId: string;
  /** The fleet the device enrolled into (the hello names it). */
  fleet: string;
  /** Where the device's `.creds` live: renewed creds replace them (0600, atomic). */
  credsFile?: string;
  /** Renew at this fraction of the JWT's lifetime (default 2/3). */
  at?: number;
  /** A hello not answered (or answered busy) is asked again after this (default 30 s, capped). */
  retryMs?: number;
}

/**
 * Keeps an expiring device JWT alive: at two thirds of its lifetime the agent says hello on its
 * own credentials (`sc.dev.<id>.hello`, which they allow), gets a fresh JWT for the same key,
 * stores it and reconnects with it, before the server would cut the connection at expiry. A
 * refusal (decommissioned, revoked, re-keyed) is final: the agent logs the gateway's reason and
 * the credentials run out. A JWT without expiry (a gateway of an earlier release) needs nothing.
 */
export class CredentialsRenewal {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  renewals = 0;

  constructor(
    private creds: string,
    private readonly options: RenewalOptions,
    private readonly log: Logger,
  ) {}

  /** The creds to (re)connect with now. */
  readonly current = (): string => this.creds;

  start(nc: NatsConnection): void {
    const { issuedAt, expiresAt } = credsLifetime(this.creds);
    if (expiresAt === undefined || this.stopped) return;
    const at = issuedAt + (expiresAt - issuedAt) * (this.options.at ?? 2 / 3);
    this.schedule(nc, Math.max(0, at - Date.now()));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(nc: NatsConnection, inMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.renew(nc), inMs);
    this.timer.unref();
  }

  private async renew(nc: NatsConnection): Promise<void> {
    const { deviceId, fleet } = this.options;
    const key = credsKeyPair(this.creds);
    const hello = JSON.stringify(helloOf(deviceId, key.getPublicKey(), fleet));
    const reply = await sayHello(nc, deviceId, hello, 5_000);
    if (this.stopped) return;
    if ("status" in reply && reply.status === "enrolled") {
      this.creds = credsText(reply.jwt, key);
      if (this.options.credsFile) await writeFileAtomic(this.options.credsFile, this.creds);
      this.renewals++;
      const { expiresAt } = credsLifetime(this.creds);
      this.log.info("device credentials renewed", {
        expiresAt: expiresAt && new Date(expiresAt).toISOString(),
      });
      // The server checks a JWT when a connection starts: reconnect to present the new one.
      await nc.reconnect().catch((error: unknown) => {
        this.log.warn("reconnect with renewed credentials failed", {
          error: (error as Error).message,
        });
      });
      this.start(nc);
      return;
    }
    if ("status" in reply && reply.status === "refused") {
      this.log.error("device credentials renewal refused; they will expire", {
        reason: reply.reason,
      });
      return;
    }
    // Not answered, or busy: ask again, in time before the credentials expire.
    const { expiresAt } = credsLifetime(this.creds);
    const left = (expiresAt ?? Date.now()) - Date.now();
    const busy = "status" in reply && reply.status === "busy" ? reply.retryAfterMs : 0;
    const retry = Math.max(busy, Math.min(this.options.retryMs ?? 30_000, left / 4));
    this.log.warn("device credentials not renewed yet; asking again", {
      why: "status" in reply ? reply.status : reply.error,
      inMs: Math.round(retry),
    });
    this.schedule(nc, Math.max(100, retry));
  }
}
