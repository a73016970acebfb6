import type { JetStreamManager } from "@nats-io/jetstream";
import { STATUS_CONSUMER, STATUS_STREAM } from "./status-stream.js";

/**
 * The time up to which every status message published is ingested (its event committed, the
 * message acked): the stream's time of the oldest message the gateways' shared consumer has not
 * acked yet, or `now` when none is left. Beats published before it have all been read; beats
 * after it may still wait in the backlog. Presence measures a device's silence against this
 * time, so a gateway behind on its backlog never takes unread beats for silence.
 */
export async function statusIngestedUntil(jsm: JetStreamManager, now: Date): Promise<Date> {
  const consumer = await jsm.consumers.info(STATUS_STREAM, STATUS_CONSUMER);
  if (consumer.num_pending === 0 && consumer.num_ack_pending === 0) return now;
  const oldest = await jsm.streams.getMessage(STATUS_STREAM, {
    seq: consumer.ack_floor.stream_seq + 1,
  });
  // Gone (a backstop limit removed it unread): nothing older waits for that message.
  if (!oldest) return now;
  return oldest.time < now ? oldest.time : now;
}
