import { type JetStreamManager, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { headers, type NatsConnection, nanos } from "@nats-io/transport-node";
import type { RecordedEvent } from "./envelope.js";
import type { PostgresEventStore } from "./postgres-event-store.js";
import { type RunningProcessor, runProcessor } from "./processor.js";
import { EVENTS_STREAM, EVENTS_SUBJECTS, eventPayload, eventSubject } from "./relay-subject.js";
import { ensureStreamWithRetention } from "./stream-retention.js";

export interface RelayOptions {
  nats: NatsConnection;
  /** Processor (checkpoint) name; default `relay:SC_EVENTS`. */
  name?: string;
  batchSize?: number;
  pollIntervalMs?: number;
  onError?: (error: Error) => void;
  /** JetStream replicas of SC_EVENTS when this relay creates it (default 1). */
  replicas?: number;
  /** Retention of SC_EVENTS (default 7 days, 1 GiB), applied to an existing stream too. */
  retention?: EventsStreamRetention;
  /** After each batch is acknowledged: how many the server already held (msgID dedup). */
  onPublished?: (stats: { published: number; duplicates: number }) => void;
}

// Publishes after a crash between ack and checkpoint are deduplicated by msgID within this window;
// it must exceed the longest outage between a publish and its checkpoint commit.
const DUPLICATE_WINDOW_MS = 10 * 60_000;

export interface EventsStreamRetention {
  maxAgeSeconds: number;
  maxBytes: number;
}

export const DEFAULT_EVENTS_STREAM_RETENTION: EventsStreamRetention = {
  maxAgeSeconds: 7 * 86_400,
  maxBytes: 1024 ** 3,
};

/**
 * Creates SC_EVENTS (subjects `sc.evt.>`) on `replicas` replicas, or brings an existing one's
 * limits to `retention`. The stream is a feed, not the record: every event stays in Postgres, and a
 * subscriber that fell behind by more than the stream holds reads the rest from the audit API
 * (`GET /v1/events?cursor=`). The oldest messages go first (discard old): the relay's publishes
 * are never refused, so its checkpoint never stalls and it skips nothing.
 */
export async function ensureEventsStream(
  jsm: JetStreamManager,
  replicas = 1,
  retention: EventsStreamRetention = DEFAULT_EVENTS_STREAM_RETENTION,
): Promise<"created" | "updated" | "unchanged"> {
  return ensureStreamWithRetention(
    jsm,
    {
      name: EVENTS_STREAM,
      subjects: [EVENTS_SUBJECTS],
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      num_replicas: replicas,
    },
    { ...retention, discard: "old" },
  );
}

/**
 * The relay: a checkpointed processor that publishes every committed event to JetStream with
 * `msgID = event_id`, and advances its checkpoint only once every publish of the batch is
 * acknowledged. At-least-once, deduplicated by the server; consumers stay idempotent.
 */
export async function startRelay(
  store: PostgresEventStore,
  options: RelayOptions,
): Promise<RunningProcessor> {
  await ensureEventsStream(
    await jetstreamManager(options.nats),
    options.replicas,
    options.retention,
  );
  const js = jetstream(options.nats);
  return runProcessor(store, {
    name: options.name ?? `relay:${EVENTS_STREAM}`,
    batchSize: options.batchSize ?? 500,
    pollIntervalMs: options.pollIntervalMs,
    onError: options.onError,
    handle: async (events) => {
      // All requests leave in order on one connection, so the stream stores them in read-all
      // order; awaiting them together keeps the batch to about one round trip.
      const acks = await Promise.all(
        events.map((event) =>
          js.publish(eventSubject(event), eventPayload(event), {
            msgID: event.eventId,
            headers: eventHeaders(event),
          }),
        ),
      );
      options.onPublished?.({
        published: acks.length,
        duplicates: acks.filter((a) => a.duplicate).length,
      });
    },
  });
}

function eventHeaders(event: RecordedEvent) {
  const h = headers();
  if (event.metadata.traceparent) h.set("traceparent", event.metadata.traceparent);
  h.set("Sc-Event-Type", event.type);
  h.set("Sc-Stream-Id", event.streamId);
  h.set("Sc-Stream-Version", String(event.streamVersion));
  h.set("Sc-Global-Position", event.globalPosition.toString());
  return h;
}
