import type { JetStreamClient } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import {
  reportBackoffSchema,
  reportBackoffSubject,
  reportMessageId,
  statusSubject,
} from "@statecast/contract";
import { spreadDoubling } from "../backoff.js";
import { countResourceError, isResourceError, resourceBackoff } from "../fs/resource-retry.js";
import type { Logger } from "../log.js";
import { ReportJournal } from "../report/journal.js";
import type { JournalEntry } from "../report/report.js";

/** The device id of an offline `install` run without `--device-id`. */
export const OFFLINE_DEVICE_ID = "offline";

/**
 * Publishes the journal's pending reports in order, each with `msgID
 * <deviceId>:<bootId>:<seq>` so a replay after a reconnect is deduplicated by the server
 * and by the gateway; a report leaves the journal's pending set only once JetStream acked it.
 */
export class StatusSender {
  private flushing: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;
  private pausedUntil = 0;
  /** Passes in a row that failed on the device itself (journal I/O), for the backoff. */
  private failures = 0;
  /** Publishes in a row that JetStream did not acknowledge, for the backoff. */
  private unacked = 0;
  /** No replay before this time (the backoff after an unacknowledged publish). */
  private backoffUntil = 0;

  constructor(
    private readonly js: JetStreamClient,
    private readonly journal: ReportJournal,
    private readonly log: Logger,
    private readonly retryMs = 1000,
  ) {
    journal.onAppend(() => void this.flush());
  }

  /**
   * Sends what is pending; concurrent calls coalesce into one more pass. Never rejects: a pass
   * that fails on the device's own I/O (out of descriptors, disk full…) is logged and tried
   * again after a backoff, the reports staying in the journal.
   */
  flush(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.flushing) {
      this.again = true;
      return this.flushing;
    }
    this.flushing = this.pass()
      .then(
        () => {
          this.failures = 0;
        },
        (error: unknown) => this.failed(error),
      )
      .finally(() => {
        this.flushing = undefined;
        if (this.again) {
          this.again = false;
          void this.flush();
        }
      });
    return this.flushing;
  }

  /** The connection is back: what is pending goes now, the backoff of the outage forgotten. */
  reconnected(): Promise<void> {
    this.unacked = 0;
    this.backoffUntil = 0;
    return this.flush();
  }

  /**
   * The gateway asked this device to slow down (its reports came over the device's rate): send
   * nothing for `ms`, then go on with what is still pending (the journal keeps every report).
   */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
    this.flushAt(this.pausedUntil);
  }

  /** One timer: the next pass at `at`, or when the pause and the backoff are both over. */
  private flushAt(at: number): void {
    if (this.closed) return;
    clearTimeout(this.retry);
    const when = Math.max(at, this.pausedUntil, this.backoffUntil);
    this.retry = setTimeout(() => void this.flush(), Math.max(0, when - Date.now()));
  }

  private failed(error: unknown): void {
    const delayMs = resourceBackoff(this.failures++, this.retryMs * 5);
    const code = (error as NodeJS.ErrnoException).code;
    if (isResourceError(error)) countResourceError(error.code as string);
    this.log.warn(
      isResourceError(error)
        ? "status reports held: the device is out of resources; will retry"
        : "status reports held by a journal error; will retry",
      { ...(code ? { code } : {}), error: (error as Error).message, retryInMs: delayMs },
    );
    this.flushAt(Date.now() + delayMs);
  }

  private async pass(): Promise<void> {
    const pending = await this.journal.pending();
    for (const journaled of pending) {
      // Paused or backing off: the next pass comes when both are over.
      if (Date.now() < Math.max(this.pausedUntil, this.backoffUntil)) {
        this.flushAt(0);
        return;
      }
      if (ReportJournal.isLocal(journaled)) {
        this.log.warn(
          "report of an offline bundle kept on the device: it names no fleet revision",
          {
            seq: journaled.seq,
            revision: journaled.revision,
          },
        );
        await this.journal.confirm(journaled);
        continue;
      }
      const report = this.addressed(journaled);
      if (!report) {
        await this.journal.confirm(journaled);
        continue;
      }
      try {
        await this.js.publish(statusSubject(report.deviceId), JSON.stringify(report), {
          msgID: reportMessageId(report),
          timeout: 5000,
        });
      } catch (error) {
        const retryInMs = unackedDelayMs(++this.unacked, this.retryMs);
        this.log.warn("status report not acknowledged; will replay", {
          seq: report.seq,
          error: (error as Error).message,
          retryInMs,
        });
        // A report journaled meanwhile waits too (its flush passes while backing off), in order.
        this.backoffUntil = Date.now() + retryInMs;
        this.flushAt(0);
        return;
      }
      this.unacked = 0;
      await this.journal.confirm(journaled);
    }
  }

  /**
   * A device publishes only on its own subject. Reports an offline `install` journaled before
   * the device had its id (`offline`, e.g. a board's factory revision) are this device's and
   * go out under its id; a report of any other id can never be delivered and is dropped with
   * a warning rather than blocking the journal.
   */
  private addressed(entry: JournalEntry): JournalEntry | undefined {
    const own = this.journal.deviceId;
    if (entry.deviceId === own) return entry;
    if (entry.deviceId === OFFLINE_DEVICE_ID) return { ...entry, deviceId: own };
    this.log.warn("dropping a report journaled under another device id", {
      journaledAs: entry.deviceId,
      seq: entry.seq,
    });
    return undefined;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
  }
}

/** Pauses `sender` whenever the gateway asks this device to slow its reports down. */
export function listenForBackoff(
  nc: NatsConnection,
  deviceId: string,
  sender: StatusSender,
  log: Logger,
): Subscription {
  return nc.subscribe(reportBackoffSubject(deviceId), {
    callback: (_error, msg) => {
      let asked: ReturnType<typeof reportBackoffSchema.safeParse>;
      try {
        asked = reportBackoffSchema.safeParse(msg.json());
      } catch {
        return;
      }
      if (!asked.success) return;
      log.warn("the gateway asks to slow down reports; pausing", asked.data);
      sender.pause(Math.min(asked.data.retryAfterMs, 60_000));
    },
  });
}

/**
 * The wait before replaying after `unacked` publishes in a row went unacknowledged: `retryMs`
 * doubling up to 8 times it, spread over half to one and a half. A server too busy to ack in
 * time is not asked again by every device a second later all together: 10,000 agents replaying
 * on a fixed second kept nats-server saturated through a whole wave in `bench:fleet`.
 */
export function unackedDelayMs(unacked: number, retryMs: number, random = Math.random): number {
  return Math.round(spreadDoubling(retryMs, unacked - 1, retryMs * 8, random));
}
