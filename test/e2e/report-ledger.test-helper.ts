import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isFleetRevision, type StatusReport } from "@statecast/contract";
import { deviceStreamId } from "@statecast/events";
import { type FleetSystem, until } from "./fleet.test-helper.js";

/**
 * "No report lost" on the device plane, checked from both ends: the gateway dropped none as
 * malformed (or spoofed), and every report an agent journaled for its fleet became exactly one
 * event of its device's stream (progress events carry `bootId`/`seq`, outcomes `report`).
 */

/** The gateway's `statecast_gateway_reports_dropped_total`, by reason, from its /metrics. */
export async function gatewayDrops(gatewayUrl: string): Promise<Record<string, number>> {
  const res = await fetch(`${gatewayUrl}/metrics`);
  if (res.status !== 200) throw new Error(`${gatewayUrl}/metrics answered ${res.status}`);
  const drops: Record<string, number> = {};
  for (const line of (await res.text()).split("\n")) {
    const m = /^statecast_gateway_reports_dropped_total\{reason="([^"]+)"\} (\S+)$/.exec(line);
    if (m?.[1]) drops[m[1]] = Number(m[2]);
  }
  return drops;
}

/** A counter without labels from the gateway's /metrics (0 when it has none). */
async function gatewayCounter(gatewayUrl: string, name: string): Promise<number> {
  const res = await fetch(`${gatewayUrl}/metrics`);
  if (res.status !== 200) throw new Error(`${gatewayUrl}/metrics answered ${res.status}`);
  for (const line of (await res.text()).split("\n")) {
    const [metric, value] = line.split(" ");
    if (metric === name) return Number(value);
  }
  return 0;
}

/**
 * What the gateway's counters say it lost, by reason (empty when nothing): every drop but
 * `duplicate` and `stale`, and the report seqs it gave up on (`skipped`). A report a gateway
 * committed and had not acked when it was killed comes back after the ack wait and is rightly
 * dropped: as `duplicate`, or as `stale` when the device's next report was applied meanwhile. A
 * report lost in flight shows as `skipped` (the gateway waited for it, then gave it up) and in
 * {@link fleetReportProblems}.
 */
export async function gatewayReportLosses(gatewayUrl: string): Promise<Record<string, number>> {
  const { duplicate: _duplicate, stale: _stale, ...losses } = await gatewayDrops(gatewayUrl);
  const skipped = await gatewayCounter(gatewayUrl, "statecast_gateway_report_seqs_skipped_total");
  return Object.fromEntries(
    Object.entries({ ...losses, skipped }).filter(([, value]) => value !== 0),
  );
}

/** Reports the gateway held for earlier ones of their boot (came back after a gateway died). */
export const gatewayHeldForGap = (gatewayUrl: string) =>
  gatewayCounter(gatewayUrl, "statecast_gateway_reports_held_for_gap_total");

/** Reports a device journaled (its agent store's `journal/reports.jsonl`), oldest first. */
export function journaledReports(storeDir: string): StatusReport[] {
  const path = join(storeDir, "journal", "reports.jsonl");
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as StatusReport);
}

interface EventLike {
  type: string;
  data: unknown;
}

/** `bootId:seq` of the report each event of a device stream was made from, in stream order. */
export function reportsOfEvents(events: readonly EventLike[]): string[] {
  const keys: string[] = [];
  for (const { data } of events) {
    const d = data as { bootId?: unknown; seq?: unknown; report?: { bootId: string; seq: number } };
    if (d.report) keys.push(`${d.report.bootId}:${d.report.seq}`);
    else if (typeof d.bootId === "string" && typeof d.seq === "number")
      keys.push(`${d.bootId}:${d.seq}`);
  }
  return keys;
}

/**
 * For each device: the reports it journaled for a fleet revision, and the report keys of its
 * events; returns what differs (empty when every report became exactly one event).
 */
export function unmatchedReports(
  devices: readonly { deviceId: string; journaled: StatusReport[]; events: readonly EventLike[] }[],
): string[] {
  const problems: string[] = [];
  for (const { deviceId, journaled, events } of devices) {
    const sent = journaled
      .filter((r) => isFleetRevision(r.revision))
      .map((r) => `${r.bootId}:${r.seq}`);
    const recorded = reportsOfEvents(events);
    const counts = new Map<string, number>();
    for (const key of recorded) counts.set(key, (counts.get(key) ?? 0) + 1);
    for (const key of sent) {
      const n = counts.get(key) ?? 0;
      if (n !== 1) problems.push(`${deviceId} report ${key}: ${n} events`);
    }
    const journaledKeys = new Set(sent);
    for (const key of counts.keys())
      if (!journaledKeys.has(key))
        problems.push(`${deviceId} event of report ${key}: not journaled`);
  }
  return problems;
}

/**
 * What differs between the reports the fleet's agents journaled and their devices' events, once
 * every journal is sent (acked) and the history has had up to a minute to match it: empty when
 * each report became exactly one event.
 */
export async function fleetReportProblems(
  system: Pick<FleetSystem, "agents" | "store">,
): Promise<string[]> {
  let problems: string[] = [];
  await until("every journaled report sent and recorded", async () => {
    const devices = [];
    for (const { agent, spec } of system.agents) {
      if ((await agent.journal.pending()).length > 0) return undefined;
      const { events } = await system.store.readStream(deviceStreamId(spec.deviceId));
      devices.push({ deviceId: spec.deviceId, journaled: await agent.journal.all(), events });
    }
    problems = unmatchedReports(devices);
    return problems.length === 0 ? true : undefined;
  }).catch(() => undefined);
  return problems;
}
