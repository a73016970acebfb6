import type { PostgresEventStore } from "@statecast/events";
import { refreshOnline } from "../presence/presence.repository.js";
import type { DeviceWork, MessageFate } from "./device-report-applier.js";
import type { DeviceStateCache } from "./device-state-cache.js";

const ALREADY_ONLINE: MessageFate = {
  applied: false,
  reason: "no_change",
  detail: "already online",
};

/** What {@link refreshOnlineBeats} left: the work still to decide, and the beats it settled. */
export interface OnlineBeats {
  /** Every device of the batch with its messages minus the heartbeats settled here. */
  work: readonly DeviceWork[];
  /** A device's settled heartbeats, by their index among its messages. */
  settled: Map<string, ReadonlySet<number>>;
}

/**
 * Issue 16: the heartbeats of devices already announced online, settled in ONE statement of
 * their own (no transaction around it, no device stream locked or read). At 10,000 devices a
 * beat every 30 s is as many messages as the reports, and each sent its device through the
 * locked transaction only to decide nothing.
 *
 * A beat is settled here only when BOTH say online: the cached fold (`announcedOnline`, which
 * only an enrolled device's beat sets) and the presence row, locked and still online. Only a sweep
 * ends that (it appends `DeviceWentOffline` and clears `online` in one transaction, under the
 * same row lock), and only a beat's locked transaction sets `online` again beside the
 * `DeviceCameOnline` it decides: so a row found online means the stream's last word is online
 * too, whatever the cache missed. Every other beat (no cache, a device not announced, a row
 * missing or offline) goes through the locked transaction as before.
 */
export async function refreshOnlineBeats(
  store: PostgresEventStore,
  work: readonly DeviceWork[],
  cache: DeviceStateCache | undefined,
): Promise<OnlineBeats> {
  const beats: { deviceId: string; at: string }[] = [];
  for (const w of work) {
    // Announced online, not merely "decides no event": a cache folded before the device was
    // enrolled decides none either, and its stream may since say enrolled (and so online).
    if (!cache?.get(w.deviceId)?.state.announcedOnline) continue;
    for (const { message, receivedAt } of w.messages)
      if (message.kind === "heartbeat") beats.push({ deviceId: w.deviceId, at: receivedAt });
  }
  if (beats.length === 0) return { work, settled: new Map() };
  const refreshed = await refreshOnline(store, beats);
  const settled = new Map<string, ReadonlySet<number>>();
  const left: DeviceWork[] = [];
  for (const w of work) {
    if (!refreshed.has(w.deviceId)) {
      left.push(w);
      continue;
    }
    const beats = new Set<number>();
    w.messages.forEach((m, i) => {
      if (m.message.kind === "heartbeat") beats.add(i);
    });
    settled.set(w.deviceId, beats);
    const messages = w.messages.filter((_, i) => !beats.has(i));
    if (messages.length > 0) left.push({ ...w, messages });
  }
  return { work: left, settled };
}

/**
 * A device's fates in the order of its messages: the beats settled here (no change) put back
 * among the fates decided for the rest. An Error (the rest not committed) stays the device's
 * outcome: its beats are tried again with its reports, which costs a refresh, nothing more.
 */
export function withSettledBeats(
  outcome: MessageFate[] | Error | undefined,
  beats: ReadonlySet<number> | undefined,
  count: number,
): MessageFate[] | Error | undefined {
  if (!beats || outcome instanceof Error) return outcome;
  const decided = outcome ?? [];
  const fates: MessageFate[] = [];
  let next = 0;
  for (let i = 0; i < count; i++) {
    const fate = beats.has(i) ? ALREADY_ONLINE : decided[next++];
    if (fate) fates.push(fate);
  }
  return fates;
}
