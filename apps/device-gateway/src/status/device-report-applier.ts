import type { DeviceMessage } from "@statecast/contract";
import {
  type DevicePlaneState,
  type DropReason,
  decideHealth,
  decideHeartbeat,
  decideReport,
  evolveDevicePlane,
  gapBefore,
  gapSeqs,
  initialDevicePlane,
  type ReportCursorData,
  type ReportGap,
} from "@statecast/device-domain";
import {
  ConcurrencyError,
  deviceStreamId,
  type EventMetadata,
  handleCommand,
  type NewEvent,
  type PostgresEventStore,
  type StreamAppend,
} from "@statecast/events";
import { recordHeartbeats } from "../presence/presence.repository.js";
import type { DeviceStateCache } from "./device-state-cache.js";
import { refreshOnlineBeats, withSettledBeats } from "./online-beats.js";

/** One message of a device as it arrived, in stream order. */
export interface ArrivedMessage {
  message: DeviceMessage;
  /** `<deviceId>:<bootId>:<seq>` (or the stream sequence for a heartbeat): correlation id. */
  messageId: string;
  receivedAt: string;
  /** The ingestion's trace context (continuing the report's): stamped on its event. */
  traceparent?: string;
  /** The earlier seqs this report was held for never came: it is applied without them. */
  gapGivenUp?: boolean;
}

export type MessageFate =
  | { applied: true; eventType: string; skipped?: ReportGap }
  | { applied: false; reason: DropReason | "no_change"; detail: string }
  /** Not decided: the device's report at `gap.to + 1` came ahead of earlier ones; it and the
   * device's later reports wait for them (see {@link gapBefore}). */
  | { applied: false; reason: "held"; detail: string; gap: ReportGap };

/** Drops of a report that was news by its seq: the device sent it, the gateway acked it with no event. */
const CONSUMED_DROPS: ReadonlySet<string> = new Set<DropReason>([
  "unknown_device",
  "decommissioned",
  "no_target",
  "not_targeted",
  "settled",
]);

/** Whether the fate acked a report without an event although it came in order (see gapBefore). */
export const consumedWithoutEvent = (fate: MessageFate): boolean =>
  !fate.applied && CONSUMED_DROPS.has(fate.reason);

export interface DeviceWork {
  deviceId: string;
  messages: readonly ArrivedMessage[];
  /** The device's last report this gateway acked without an event, when it knows one. */
  consumed?: ReportCursorData;
}

function metadata(deviceId: string, arrived: ArrivedMessage): EventMetadata {
  const meta: EventMetadata = {
    correlationId: arrived.messageId,
    causationId: arrived.messageId,
    actor: `device:${deviceId}`,
    now: arrived.receivedAt,
  };
  if (arrived.traceparent) meta.traceparent = arrived.traceparent;
  return meta;
}

/**
 * Folds a device's messages, in order, through the pure decider: the events and each fate. A
 * report that came ahead of earlier ones of its boot is held with every later report of the
 * device (heartbeats go on: they carry no seq), unless the hold on it was given up.
 */
export function decideMessages(
  deviceId: string,
  messages: readonly ArrivedMessage[],
  state: DevicePlaneState,
  consumed?: ReportCursorData,
): { events: NewEvent[]; fates: MessageFate[]; state: DevicePlaneState } {
  const fates: MessageFate[] = [];
  const events: NewEvent[] = [];
  let current = state;
  let last = consumed;
  let held: ReportGap | undefined;
  for (const arrived of messages) {
    const { message } = arrived;
    let event: ReturnType<typeof decideHeartbeat>;
    let skipped: ReportGap | null = null;
    if (message.kind === "heartbeat") {
      event = decideHeartbeat(message, current);
      if (!event) fates.push({ applied: false, reason: "no_change", detail: "already online" });
    } else {
      const gap = held ?? gapBefore(message, current, last);
      if (gap && (held || !arrived.gapGivenUp)) {
        held = gap;
        const detail = `seq ${message.seq} waits for seq ${gapSeqs(gap)} of boot ${gap.bootId}`;
        fates.push({ applied: false, reason: "held", detail, gap });
        continue;
      }
      skipped = gap;
      const verdict =
        message.kind === "health" ? decideHealth(message, current) : decideReport(message, current);
      if (verdict.kind === "drop") {
        const fate = { applied: false as const, reason: verdict.reason, detail: verdict.detail };
        fates.push(fate);
        if (consumedWithoutEvent(fate)) last = { bootId: message.bootId, seq: message.seq };
      }
      event = verdict.kind === "apply" ? verdict.event : null;
    }
    if (!event) continue;
    // A decided event is exactly {type, data} (EventOf); spelled out, not spread (see evolveDevice).
    events.push({ type: event.type, data: event.data, metadata: metadata(deviceId, arrived) });
    current = evolveDevicePlane(current, event);
    // Not `{…, ...(skipped ? { skipped } : {})}`: a spread that adds fields costs ~1 µs a report.
    const fate: Extract<MessageFate, { applied: true }> = { applied: true, eventType: event.type };
    if (skipped) fate.skipped = skipped;
    fates.push(fate);
  }
  return { events, fates, state: current };
}

/**
 * One device's messages in ONE optimistic append on `device:<id>`, through handleCommand: a
 * conflict (another replica, an operator command) re-reads and decides again, so each report
 * becomes an event at most once.
 */
export async function applyDeviceMessages(
  store: PostgresEventStore,
  { deviceId, messages, consumed }: DeviceWork,
): Promise<MessageFate[]> {
  let fates: MessageFate[] = [];
  const decide = (state: DevicePlaneState): NewEvent[] => {
    const decided = decideMessages(deviceId, messages, state, consumed);
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

const LOCK_DEVICE_STREAMS = {
  name: "sc_gateway_lock_device_streams",
  text: `SELECT stream_id, version, last_transaction_id > pg_current_xact_id() AS newer
FROM streams WHERE stream_id = ANY($1::text[]) ORDER BY stream_id FOR UPDATE`,
};

/**
 * Each device's events past `after`, as ONE row a device: `[[version, type, data], …]` in version
 * order (null when there are none). A fresh gateway reads every device's whole stream this way
 * (~13 events a device in bench:device-plane's backlog); a row an event cost node-pg a row object
 * and a JSON parse each, and us a regrouping by stream.
 */
const READ_DEVICE_EVENTS = {
  name: "sc_gateway_read_device_events_v2",
  text: `SELECT r.stream_id,
  (SELECT json_agg(json_build_array(e.stream_version, e.type, e.data) ORDER BY e.stream_version)
   FROM events e WHERE e.stream_id = r.stream_id AND e.stream_version > r.after) AS events
FROM unnest($1::text[], $2::int[]) AS r (stream_id, after)`,
};

/** A row of READ_DEVICE_EVENTS. */
interface StreamEvents {
  stream_id: string;
  events: [version: number, type: string, data: unknown][] | null;
}

interface Folded {
  version: number;
  state: DevicePlaneState;
}

/**
 * Many devices at once, in at most two commits. The heartbeats of devices already online are
 * settled first, in one statement of their own ({@link refreshOnlineBeats}). Then the devices whose folded state is cached
 * are decided on it and appended in one statement of their own ({@link applyOnCachedStates}: the
 * common case of a device reporting again, one round trip). The others, in one transaction (one
 * commit, one fsync) and a constant number of statements: the device stream rows are locked (in the database's id order, as appendMany and every other
 * multi-stream writer lock them, so replicas never deadlock); only events past the version cached
 * in `cache` are read; every device is decided on its locked state; all events go in ONE
 * appendMany with each stream's locked version as its expectation. A device whose stream a newer
 * transaction wrote (or, should the append be refused, every device with events) gets no fate
 * here and is retried alone with {@link applyDeviceMessages} after the commit; if that fails too,
 * its entry is the Error (the others committed all the same).
 */
export async function applyDevicesTogether(
  store: PostgresEventStore,
  batch: readonly DeviceWork[],
  cache?: DeviceStateCache,
): Promise<(MessageFate[] | Error)[]> {
  const { work, settled } = await refreshOnlineBeats(store, batch, cache);
  const outcomes = new Map<string, MessageFate[] | Error>();
  const { decided, appends, rest } = decideOnCachedStates(work, cache);
  // Disjoint devices: the cached-state append and the locked transaction run side by side.
  const [refused, locked] = await Promise.all([
    applyOnCachedStates(store, decided, appends, cache, outcomes),
    rest.length > 0 ? settledOf(applyUnderLock(store, rest, cache)) : undefined,
  ]);
  const failures: unknown[] = [];
  if (locked) failures.push(...setOutcomes(outcomes, rest, locked));
  // A refused cached-state append wrote nothing: its devices are decided again under the lock.
  if (refused.length > 0)
    failures.push(
      ...setOutcomes(outcomes, refused, await settledOf(applyUnderLock(store, refused, cache))),
    );
  // Nothing committed at all: the caller retries the whole batch, as it did one transaction.
  if (failures.length > 0 && [...outcomes.values()].every((o) => o instanceof Error))
    throw failures[0];
  return batch.map(
    (w) =>
      withSettledBeats(outcomes.get(w.deviceId), settled.get(w.deviceId), w.messages.length) as
        | MessageFate[]
        | Error,
  );
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

const settledOf = <T>(promise: Promise<T>): Promise<Settled<T>> =>
  promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );

/** Records the locked transaction's outcome of each device of `work`; returns its failure, if any. */
function setOutcomes(
  outcomes: Map<string, MessageFate[] | Error>,
  work: readonly DeviceWork[],
  settled: Settled<(MessageFate[] | Error)[]>,
): unknown[] {
  if (settled.ok) {
    work.forEach((w, i) => {
      outcomes.set(w.deviceId, settled.value[i] as MessageFate[] | Error);
    });
    return [];
  }
  const failed = settled.error instanceof Error ? settled.error : new Error(String(settled.error));
  for (const w of work) outcomes.set(w.deviceId, failed);
  return [settled.error];
}

interface DecidedOnCache {
  w: DeviceWork;
  fates: MessageFate[];
  version: number;
  state: DevicePlaneState;
}

/**
 * Decides on its cached folded state each device that has one and whose messages decide at least
 * one event on it; every other device goes to `rest`, for {@link applyUnderLock}: devices not
 * cached, with a heartbeat (presence is written in the same transaction), or deciding no event
 * (a drop decided on a stale cache must be checked against the stream).
 */
function decideOnCachedStates(
  work: readonly DeviceWork[],
  cache: DeviceStateCache | undefined,
): { decided: DecidedOnCache[]; appends: StreamAppend[]; rest: DeviceWork[] } {
  const rest: DeviceWork[] = [];
  const decided: DecidedOnCache[] = [];
  const appends: StreamAppend[] = [];
  for (const w of work) {
    const cached = cache?.get(w.deviceId);
    if (!cached || w.messages.some((m) => m.message.kind === "heartbeat")) {
      rest.push(w);
      continue;
    }
    const { events, fates, state } = decideMessages(
      w.deviceId,
      w.messages,
      cached.state,
      w.consumed,
    );
    if (events.length === 0) {
      rest.push(w);
      continue;
    }
    decided.push({ w, fates, version: cached.version + events.length, state });
    appends.push({
      streamId: deviceStreamId(w.deviceId),
      events,
      expectedVersion: cached.version,
    });
  }
  return { decided, appends, rest };
}

/**
 * The devices decided on their cached states, appended in ONE statement on their own (no BEGIN,
 * no lock query, no COMMIT: one round trip and one fsync), each stream expected at its cached
 * version. The statement checks every expectation under its row locks and writes all or nothing,
 * so a decision stands only if it was made on the stream's current state: the same guarantee as
 * deciding under the lock. Their fates go to `outcomes`; a failed statement (not a refusal)
 * gives each device the Error (retried by the caller). Returns the devices of a refused append
 * (nothing written), to be decided again under the lock.
 */
async function applyOnCachedStates(
  store: PostgresEventStore,
  decided: readonly DecidedOnCache[],
  appends: StreamAppend[],
  cache: DeviceStateCache | undefined,
  outcomes: Map<string, MessageFate[] | Error>,
): Promise<DeviceWork[]> {
  if (appends.length === 0) return [];
  try {
    await store.appendMany(appends);
  } catch (error) {
    for (const { w } of decided) cache?.delete(w.deviceId);
    if (error instanceof ConcurrencyError && error.cause === undefined)
      return decided.map((d) => d.w);
    const failed = error instanceof Error ? error : new Error(String(error));
    for (const { w } of decided) outcomes.set(w.deviceId, failed);
    return [];
  }
  for (const { w, fates, version, state } of decided) {
    cache?.set(w.deviceId, version, state);
    outcomes.set(w.deviceId, fates);
  }
  return [];
}

/**
 * The devices of {@link applyDevicesTogether} that were not applied on their cached state: decided
 * on their locked stream state in one transaction (see there).
 */
async function applyUnderLock(
  store: PostgresEventStore,
  work: readonly DeviceWork[],
  cache?: DeviceStateCache,
): Promise<(MessageFate[] | Error)[]> {
  const results = new Map<string, MessageFate[] | null>();
  const folded = new Map<string, Folded>();
  // One attempt: a device the transaction could not decide is retried alone after it.
  await store.transaction(
    "apply device reports",
    async (client) => {
      const beats = work.flatMap(({ deviceId, messages }) =>
        messages
          .filter((m) => m.message.kind === "heartbeat")
          .map((m) => ({ deviceId, at: m.receivedAt })),
      );
      await recordHeartbeats(client, beats);

      const { rows: locked } = await client.query<{
        stream_id: string;
        version: number;
        newer: boolean;
      }>({ ...LOCK_DEVICE_STREAMS, values: [work.map((w) => deviceStreamId(w.deviceId))] });
      const heads = new Map(locked.map((row) => [row.stream_id, row]));
      const stale: { deviceId: string; streamId: string; from: Folded }[] = [];
      for (const { deviceId } of work) {
        const streamId = deviceStreamId(deviceId);
        const head = heads.get(streamId);
        const cached = cache?.get(deviceId);
        if (!head) folded.set(deviceId, { version: 0, state: initialDevicePlane() });
        else if (head.newer) results.set(deviceId, null);
        else if (cached?.version === head.version) folded.set(deviceId, cached);
        else if (cached && cached.version < head.version)
          stale.push({ deviceId, streamId, from: cached });
        else stale.push({ deviceId, streamId, from: { version: 0, state: initialDevicePlane() } });
      }
      if (stale.length > 0) {
        const { rows } = await client.query<StreamEvents>({
          ...READ_DEVICE_EVENTS,
          values: [stale.map((s) => s.streamId), stale.map((s) => s.from.version)],
        });
        const byStream = new Map(rows.map((row) => [row.stream_id, row.events]));
        for (const { deviceId, streamId, from } of stale) {
          let { version, state } = from;
          // As folded from rows before: no recorded time or version is passed to evolve.
          for (const [streamVersion, type, data] of byStream.get(streamId) ?? []) {
            state = evolveDevicePlane(state, { type, data });
            version = streamVersion;
          }
          // Under the row lock the events end at the locked version; anything else goes alone.
          if (version === heads.get(streamId)?.version) folded.set(deviceId, { version, state });
          else results.set(deviceId, null);
        }
      }

      const appends: StreamAppend[] = [];
      const decided = new Map<string, MessageFate[]>();
      for (const { deviceId, messages, consumed } of work) {
        const before = folded.get(deviceId);
        if (!before) continue;
        const { events, fates, state } = decideMessages(deviceId, messages, before.state, consumed);
        decided.set(deviceId, fates);
        folded.set(deviceId, { version: before.version + events.length, state });
        if (events.length > 0)
          appends.push({
            streamId: deviceStreamId(deviceId),
            events,
            expectedVersion: before.version,
          });
      }
      if (appends.length > 0) {
        try {
          await store.appendMany(appends, { client });
        } catch (error) {
          // A refusal wrote nothing and leaves the transaction usable; a failed statement does not.
          if (!(error instanceof ConcurrencyError) || error.cause !== undefined) throw error;
          for (const { streamId } of appends) {
            const deviceId = streamId.slice(streamId.indexOf(":") + 1);
            decided.delete(deviceId);
            folded.delete(deviceId);
            results.set(deviceId, null);
          }
        }
      }
      for (const [deviceId, fates] of decided) results.set(deviceId, fates);
    },
    { maxAttempts: 1 },
  );
  for (const { deviceId } of work) {
    const after = folded.get(deviceId);
    if (after && results.get(deviceId)) cache?.set(deviceId, after.version, after.state);
    else cache?.delete(deviceId);
  }
  return Promise.all(
    work.map(
      (w) =>
        results.get(w.deviceId) ??
        applyDeviceMessages(store, w).catch((error: unknown) =>
          error instanceof Error ? error : new Error(String(error)),
        ),
    ),
  );
}
