import type pg from "pg";
import { EVENTS_CHANNEL } from "./schema.js";

// NOTIFY inside the append would serialise every commit behind Postgres' global notify lock
// (held through the WAL flush), destroying group commit. Instead the store sends one NOTIFY
// after its appends, coalesced: at most one in flight plus one queued, whatever the append rate.
// A NOTIFY is itself a (tiny) commit, so under load one per 10 ms is plenty.
const COALESCE_MS = 10;

export class AppendNotifier {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private again = false;

  constructor(private readonly pool: pg.Pool) {}

  announce(): void {
    if (this.inFlight) {
      this.again = true;
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => this.send(), COALESCE_MS);
    this.timer.unref();
  }

  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    await this.inFlight;
  }

  private send(): void {
    this.timer = undefined;
    this.inFlight = this.pool
      // NOTIFY makes its transaction take an id and write a commit record; nothing is lost if a
      // crash forgets a wake-up, so that commit need not wait for the WAL flush.
      .query(`BEGIN; SET LOCAL synchronous_commit = off; NOTIFY ${EVENTS_CHANNEL}; COMMIT`)
      .then(
        () => {},
        // A lost wake-up only costs latency: processors also poll.
        () => {},
      )
      .finally(() => {
        this.inFlight = undefined;
        if (this.again) {
          this.again = false;
          this.announce();
        }
      });
  }
}
