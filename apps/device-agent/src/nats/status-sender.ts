import type { JetStreamClient } from "@nats-io/jetstream";
import { reportMessageId, statusSubject } from "@statecast/contract";
import type { Logger } from "../log.js";
import { ReportJournal } from "../report/journal.js";

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

  constructor(
    private readonly js: JetStreamClient,
    private readonly journal: ReportJournal,
    private readonly log: Logger,
    private readonly retryMs = 1000,
  ) {
    journal.onAppend(() => void this.flush());
  }

  /** Sends what is pending; concurrent calls coalesce into one more pass. */
  flush(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.flushing) {
      this.again = true;
      return this.flushing;
    }
    this.flushing = this.pass().finally(() => {
      this.flushing = undefined;
      if (this.again) {
        this.again = false;
        void this.flush();
      }
    });
    return this.flushing;
  }

  private async pass(): Promise<void> {
    const pending = await this.journal.pending();
    for (const report of pending) {
      if (ReportJournal.isLocal(report)) {
        this.log.warn(
          "report of an offline bundle kept on the device: it names no fleet revision",
          {
            seq: report.seq,
            revision: report.revision,
          },
        );
        await this.journal.confirm(report);
        continue;
      }
      try {
        await this.js.publish(statusSubject(report.deviceId), JSON.stringify(report), {
          msgID: reportMessageId(report),
          timeout: 5000,
        });
      } catch (error) {
        this.log.warn("status report not acknowledged; will replay", {
          seq: report.seq,
          error: (error as Error).message,
        });
        clearTimeout(this.retry);
        this.retry = setTimeout(() => void this.flush(), this.retryMs);
        return;
      }
      await this.journal.confirm(report);
    }
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
  }
}
