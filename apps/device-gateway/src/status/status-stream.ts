import { AckPolicy, DeliverPolicy, type JetStreamManager } from "@nats-io/jetstream";
import { STATUS_SUBJECTS } from "@statecast/contract";
import { ensureStreamWithRetention } from "@statecast/events";

export const STATUS_STREAM = "SC_DEVICE_STATUS";
/** Shared by every gateway replica: JetStream hands each message to one of them. */
export const STATUS_CONSUMER = "sc-gateway-status";

const NS_PER_MS = 1_000_000;

export interface StatusStreamOptions {
  /** msgID dedup window: a device replaying its journal within it is deduplicated by the server. */
  duplicateWindowMs?: number;
  /** Reports not acked in this time are delivered again (to any replica). */
  ackWaitMs?: number;
  /** JetStream replicas of the stream when created here (default 1); the consumer inherits them. */
  replicas?: number;
  /** Backstops on what the stream holds (default 7 days, 1 GiB); applied to an existing one too. */
  limits?: { maxAgeSeconds: number; maxBytes: number };
}

export const DEFAULT_STATUS_STREAM_LIMITS = { maxAgeSeconds: 7 * 86_400, maxBytes: 1024 ** 3 };

/**
 * What SC_DEVICE_STATUS holds and why nothing is lost. Postgres is the record: a report counts
 * once the gateway committed its event and acked it. The gateway trims what its consumer acked
 * (status-trimmer.ts), so the stream holds the backlog only; the limits are backstops. When a
 * backlog fills `maxBytes`, new publishes are refused (discard new), never old unread reports
 * dropped: an agent keeps a refused report in its journal and replays it. `maxAge` (a week by
 * default, against a consumer lag of seconds) lets go of reports no gateway read for that long.
 * Not WorkQueue or Interest retention: nats-server 2.9 cannot change the retention of a stream
 * that exists, and the streams of earlier releases were created with limits retention.
 */
function statusRetention(options: StatusStreamOptions) {
  return { ...(options.limits ?? DEFAULT_STATUS_STREAM_LIMITS), discard: "new" as const };
}

/** Creates the status stream and the gateways' durable pull consumer when missing (idempotent). */
export async function ensureStatusStream(
  jsm: JetStreamManager,
  options: StatusStreamOptions = {},
): Promise<void> {
  const duplicateWindow = (options.duplicateWindowMs ?? 10 * 60_000) * NS_PER_MS;
  await ensureStreamWithRetention(
    jsm,
    {
      name: STATUS_STREAM,
      subjects: [STATUS_SUBJECTS],
      duplicate_window: duplicateWindow,
      num_replicas: options.replicas ?? 1,
    },
    statusRetention(options),
  );
  const consumer = {
    durable_name: STATUS_CONSUMER,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: (options.ackWaitMs ?? 30_000) * NS_PER_MS,
    max_ack_pending: 20_000,
    max_waiting: 512,
  };
  try {
    await jsm.consumers.info(STATUS_STREAM, STATUS_CONSUMER);
  } catch {
    await jsm.consumers.add(STATUS_STREAM, consumer);
  }
}
