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
  deviceStreamId,
  type EventMetadata,
  handleCommand,
  type NewEvent,
  type PostgresEventStore,
} from "@statecast/events";

/** One message of a device as it arrived, in stream order. */
export interface ArrivedMessage {
  message: DeviceMessage;
  /** `<deviceId>:<bootId>:<seq>` (or the stream sequence for a heartbeat): correlation id. */
  messageId: string;
  receivedAt: string;
}

export type MessageFate =
  | { applied: true; eventType: string }
  | { applied: false; reason: DropReason | "no_change"; detail: string };

function metadata(deviceId: string, arrived: ArrivedMessage): EventMetadata {
  return {
    correlationId: arrived.messageId,
    causationId: arrived.messageId,
    actor: `device:${deviceId}`,
    now: arrived.receivedAt,
  };
}

/**
 * Folds a device's messages, in order, through the pure decider and appends what they become in
 * ONE optimistic append on `device:<id>`. A conflict (another replica, an operator command) makes
 * handleCommand re-read and decide again, so each report becomes an event at most once.
 */
export async function applyDeviceMessages(
  store: PostgresEventStore,
  deviceId: string,
  messages: readonly ArrivedMessage[],
): Promise<MessageFate[]> {
  let fates: MessageFate[] = [];
  const decide = (state: DevicePlaneState): NewEvent[] => {
    fates = [];
    const events: NewEvent[] = [];
    let current = state;
    for (const arrived of messages) {
      const { message } = arrived;
      if (message.kind === "heartbeat") {
        const event = decideHeartbeat(message, current);
        if (!event) {
          fates.push({ applied: false, reason: "no_change", detail: "already online" });
          continue;
        }
        events.push({ ...event, metadata: metadata(deviceId, arrived) });
        current = evolveDevicePlane(current, event);
        fates.push({ applied: true, eventType: event.type });
        continue;
      }
      const verdict = decideReport(message, current);
      if (verdict.kind === "drop") {
        fates.push({ applied: false, reason: verdict.reason, detail: verdict.detail });
        continue;
      }
      events.push({ ...verdict.event, metadata: metadata(deviceId, arrived) });
      current = evolveDevicePlane(current, verdict.event);
      fates.push({ applied: true, eventType: verdict.event.type });
    }
    return events;
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
