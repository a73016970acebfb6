import type { JetStreamManager } from "@nats-io/jetstream";
import { Logger } from "@nestjs/common";
import { STATUS_CONSUMER, STATUS_STREAM } from "./status-stream.js";

/**
 * Removes from SC_DEVICE_STATUS the reports the gateways' shared consumer has acked, i.e. whose
 * events are committed in Postgres: everything below the consumer's ack floor. What is above it
 * (in flight, redelivered, not yet read) stays, so trimming never loses a report; the msgID dedup
 * window outlives a purge, so a device replaying a trimmed report is still deduplicated. Any
 * replica may trim at any time: the purge is idempotent.
 */
export async function trimConsumedStatus(jsm: JetStreamManager): Promise<number> {
  const consumer = await jsm.consumers.info(STATUS_STREAM, STATUS_CONSUMER);
  const floor = consumer.ack_floor.stream_seq;
  if (floor <= 0) return 0;
  const { purged } = await jsm.streams.purge(STATUS_STREAM, { seq: floor + 1 });
  return purged;
}

/** Trims every `everyMs` (default a minute) until stopped; a failed pass is retried next time. */
export class StatusTrimmer {
  private readonly logger = new Logger("StatusTrimmer");
  private timer: NodeJS.Timeout | undefined;
  trimmed = 0;

  constructor(
    private readonly jsm: JetStreamManager,
    private readonly everyMs = 60_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.pass(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async pass(): Promise<number> {
    try {
      const purged = await trimConsumedStatus(this.jsm);
      this.trimmed += purged;
      return purged;
    } catch (error) {
      this.logger.warn(`trimming consumed status reports failed: ${(error as Error).message}`);
      return 0;
    }
  }
}
