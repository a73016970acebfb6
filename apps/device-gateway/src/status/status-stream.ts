import { AckPolicy, DeliverPolicy, type JetStreamManager } from "@nats-io/jetstream";
import { STATUS_SUBJECTS } from "@statecast/contract";

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
}

/** Creates the status stream and the gateways' durable pull consumer when missing (idempotent). */
export async function ensureStatusStream(
  jsm: JetStreamManager,
  options: StatusStreamOptions = {},
): Promise<void> {
  const duplicateWindow = (options.duplicateWindowMs ?? 10 * 60_000) * NS_PER_MS;
  try {
    await jsm.streams.info(STATUS_STREAM);
  } catch {
    await jsm.streams
      .add({
        name: STATUS_STREAM,
        subjects: [STATUS_SUBJECTS],
        duplicate_window: duplicateWindow,
        num_replicas: options.replicas ?? 1,
      })
      .catch(async (error: unknown) => {
        // Another replica may have created it between our info and add.
        await jsm.streams.info(STATUS_STREAM).catch(() => {
          throw error;
        });
      });
  }
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
