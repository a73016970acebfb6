import {
  type DeviceMessage,
  type DevicePlaneState,
  type DropReason,
  decideHeartbeat,
  decideReport,
  evolveDevicePlane,
  initialDevicePlane,
} from "@statecast/device-domain";
import {
  ConcurrencyError,
  deviceStreamId,
  type EventMetadata,
  handleCommand,
  type NewEvent,
  type PostgresEventStore,
} from "@statecast/events";
import { recordHeartbeats } from "../presence/presence.repository.js";

/** One message of a device as it arrived, in stream order. */
export interface ArrivedMessage {
  message: DeviceMessage;
  /** `<deviceId>:<bootId>:<seq>` (or the stream sequence for a heartbeat): correlation id. */
  messageId: string;
  receivedAt: string;
  /** The ingestion's trace context (continuing the report's): stamped on its event. */
  traceparent?: string;
}

export type MessageFate =
  | { applied: true; eventType: string }
  | { applied: false; reason: DropReason | "no_change"; detail: string };

export interface DeviceWork {
  deviceId: string;
  messages: readonly ArrivedMessage[];
}

function metadata(deviceId: string, arrived: ArrivedMessage): EventMetadata {
  return {
    correlationId: arrived.messageId,
    causationId: arrived.messageId,
    actor: `device:${deviceId}`,
    ...(arrived.traceparent ? { traceparent: arrived.traceparent } : {}),
    now: arrived.receivedAt,
  };
}

/** Folds a device's messages, in order, through the pure decider: the events and each fate. */
export function decideMessages(
  deviceId: string,
  messages: readonly ArrivedMessage[],
  state: DevicePlaneState,
): { events: NewEvent[]; fates: MessageFate[] } {
  const fates: MessageFate[] = [];
  const events: NewEvent[] = [];
  let current = state;
  for (const arrived of messages) {
    const { message } = arrived;
    let event: ReturnType<typeof decideHeartbeat>;
    if (message.kind === "heartbeat") {
      event = decideHeartbeat(message, current);
      if (!event) fates.push({ applied: false, reason: "no_change", detail: "already online" });
    } else {
      const verdict = decideReport(message, current);
      if (verdict.kind === "drop")
        fates.push({ applied: false, reason: verdict.reason, detail: verdict.detail });
      event = verdict.kind === "apply" ? verdict.event : null;
    }
    if (!event) continue;
    events.push({ ...event, metadata: metadata(deviceId, arrived) });
    current = evolveDevicePlane(current, event);
    fates.push({ applied: true, eventType: event.type });
  }
  return { events, fates };
}

/**
 * One device's messages in ONE optimistic append on `device:<id>`, through handleCommand: a
 * conflict (another replica, an operator command) re-reads and decides again, so each report
 * becomes an event at most once.
 */
export async function applyDeviceMessages(
  store: PostgresEventStore,
  { deviceId, messages }: DeviceWork,
): Promise<MessageFate[]> {
  let fates: MessageFate[] = [];
  const decide = (state: DevicePlaneState): NewEvent[] => {
    const decided = decideMessages(deviceId, messages, state);
    fates = decided.fates;
    return decided.events;
  };
  await handleCommand(
    store,
    deviceStreamId(deviceId),
    decide,
    evolveDevicePlane,
    initialDevicePlane,
    {
      maxAttempts: 10,
    },
  );
  return fates;
}

/**
 * Many devices in one transaction (one commit, one fsync): each device's stream is read, decided
 * and appended with its expected version. A device whose append conflicts gets `null` (its
 * append changed nothing) and is retried alone with {@link applyDeviceMessages} after the commit.
 */
export async function applyDevicesTogether(
  store: PostgresEventStore,
  work: readonly DeviceWork[],
): Promise<MessageFate[][]> {
  // Rows of `streams` are locked in device id order, so two replicas never deadlock.
  const ordered = [...work].sort((a, b) => (a.deviceId < b.deviceId ? -1 : 1));
  const results = new Map<string, MessageFate[] | null>();
  const client = await store.pool.connect();
  try {
    await client.query("BEGIN");
    const beats = ordered.flatMap(({ deviceId, messages }) =>
      messages
        .filter((m) => m.message.kind === "heartbeat")
        .map((m) => ({ deviceId, at: m.receivedAt })),
    );
    await recordHeartbeats(client, beats);
    for (const { deviceId, messages } of ordered) {
      const streamId = deviceStreamId(deviceId);
      const { events: history, version } = await store.readStream(streamId, { client });
      const state = history.reduce(evolveDevicePlane, initialDevicePlane());
      const { events, fates } = decideMessages(deviceId, messages, state);
      try {
        if (events.length > 0)
          await store.append(streamId, events, {
            expectedVersion: version === 0 ? "no_stream" : version,
            client,
          });
        results.set(deviceId, fates);
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
        results.set(deviceId, null);
      }
    }
    await client.query("COMMIT");
    store.announceIfAppendedIn(client);
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  return Promise.all(work.map((w) => results.get(w.deviceId) ?? applyDeviceMessages(store, w)));
}
