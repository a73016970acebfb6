import { isDeepStrictEqual } from "node:util";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { deviceStreamId, type RecordedEvent, rolloutStreamId } from "@statecast/events";
import { credsConnectionOptions } from "@statecast/nats-auth";
import {
  type DeviceRecord,
  evolveDevice,
} from "../../apps/orchestrator/src/devices/device-record.js";
import type { FleetSystem, Json } from "./fleet.test-helper.js";

const TERMINAL = ["UpdateSucceeded", "UpdateFailed", "UpdateRejected", "DeviceRolledBack"];
const REPORTED = ["UpdateProgressReported", ...TERMINAL];

/** What a reconciliation over the event history found; every list is empty when all is well. */
export interface Reconciliation {
  /** Rollout-stream transitions that occur a number of times other than once. */
  rolloutTransitions: string[];
  /** Devices without exactly one TargetAssigned of the rollout, or in another wave than joined. */
  targets: string[];
  /** (device, revision, attempt) with more than one terminal report event, or none for the rollout. */
  terminals: string[];
  /** Report cursors (bootId, seq) applied twice, or out of order within a boot. */
  reportSeqs: string[];
  /** device_registry rows that differ from a fold of their device stream. */
  projection: string[];
  counts: { events: number; deviceEvents: number; reports: number };
}

const data = (event: RecordedEvent) => (event.data ?? {}) as Json;

/**
 * Reconciles a finished rollout against the whole event history of `deviceIds`: each rollout
 * transition once, each device targeted once in the wave it joined, one terminal report per
 * (device, revision, attempt) — an attempt being the target `seq` it answers — and exactly one
 * success for the rollout's revision, no report cursor applied twice, and the device registry
 * projection equal to a replay of the device streams.
 */
export async function reconcileRollout(
  system: FleetSystem,
  rolloutId: string,
  deviceIds: readonly string[],
  waves: number,
): Promise<Reconciliation> {
  const found: Reconciliation = {
    rolloutTransitions: [],
    targets: [],
    terminals: [],
    reportSeqs: [],
    projection: [],
    counts: { events: 0, deviceEvents: 0, reports: 0 },
  };
  const rollout = (await system.store.readStream(rolloutStreamId(rolloutId))).events;
  const once = (label: string, matches: (e: RecordedEvent) => boolean) => {
    const n = rollout.filter(matches).length;
    if (n !== 1) found.rolloutTransitions.push(`${label} ×${n}`);
  };
  once("RolloutStarted", (e) => e.type === "RolloutStarted");
  once("RolloutCompleted", (e) => e.type === "RolloutCompleted");
  for (let w = 0; w < waves; w++) {
    for (const type of ["WaveStarted", "WaveTargetsAssigned", "WaveGatePassed"])
      once(`${type} wave ${w}`, (e) => e.type === type && data(e).waveIndex === w);
  }
  // The wave each device is in: the plan at start, or the wave it joined later.
  const joinedWave = new Map<string, number>();
  const started = rollout.find((e) => e.type === "RolloutStarted");
  const plan = (started ? data(started).plan : []) as { index: number; devices: Json[] }[];
  for (const planned of plan)
    for (const device of planned.devices) {
      const deviceId = String(device.deviceId);
      if (joinedWave.has(deviceId)) found.rolloutTransitions.push(`${deviceId} planned twice`);
      joinedWave.set(deviceId, planned.index);
    }
  for (const event of rollout.filter((e) => e.type === "DeviceJoinedRollout")) {
    const deviceId = String(data(event).deviceId);
    if (joinedWave.has(deviceId)) found.rolloutTransitions.push(`${deviceId} joined twice`);
    joinedWave.set(deviceId, Number(data(event).waveIndex));
  }
  for (const deviceId of deviceIds) {
    if (!joinedWave.has(deviceId)) found.rolloutTransitions.push(`${deviceId} in no wave`);
    once(
      `RolloutDeviceSucceeded ${deviceId}`,
      (e) => e.type === "RolloutDeviceSucceeded" && data(e).deviceId === deviceId,
    );
  }
  const revision = rollout.find((e) => e.type === "RolloutCreated");
  const target = ((data(revision as RecordedEvent).definition as Json).revision ?? {}) as Json;

  const { rows } = await system.pool.query<{ device_id: string; record: DeviceRecord }>(
    "SELECT device_id, record FROM device_registry WHERE device_id = ANY($1::text[])",
    [deviceIds],
  );
  const projected = new Map(rows.map((r) => [r.device_id, r.record]));
  for (const deviceId of deviceIds) {
    const { events } = await system.store.readStream(deviceStreamId(deviceId));
    found.counts.deviceEvents += events.length;
    const assigned = events.filter(
      (e) => e.type === "TargetAssigned" && data(e).rolloutId === rolloutId,
    );
    if (assigned.length !== 1) found.targets.push(`${deviceId}: ${assigned.length} targets`);
    else if (data(assigned[0]!).waveIndex !== joinedWave.get(deviceId))
      found.targets.push(
        `${deviceId}: target in wave ${data(assigned[0]!).waveIndex}, joined ${joinedWave.get(deviceId)}`,
      );

    let attempt = 0;
    const terminals = new Map<string, number>();
    const cursors = new Set<string>();
    const lastSeq = new Map<string, number>();
    for (const event of events) {
      const d = data(event);
      if (event.type === "TargetAssigned") attempt = Number(d.seq);
      if (!REPORTED.includes(event.type)) continue;
      found.counts.reports++;
      const cursor = (event.type === "UpdateProgressReported" ? d : d.report) as Json;
      const key = `${cursor.bootId}:${cursor.seq}`;
      if (cursors.has(key)) found.reportSeqs.push(`${deviceId}: ${key} applied twice`);
      cursors.add(key);
      const previous = lastSeq.get(String(cursor.bootId)) ?? -1;
      if (Number(cursor.seq) <= previous)
        found.reportSeqs.push(`${deviceId}: seq ${cursor.seq} after ${previous} in one boot`);
      lastSeq.set(String(cursor.bootId), Number(cursor.seq));
      if (TERMINAL.includes(event.type) && event.type !== "DeviceRolledBack") {
        const rev = (d.revision ?? {}) as Json;
        const id = `${rev.fleet}@${rev.number} attempt ${attempt}`;
        terminals.set(id, (terminals.get(id) ?? 0) + 1);
      }
    }
    for (const [id, n] of terminals)
      if (n > 1) found.terminals.push(`${deviceId} ${id}: ${n} terminal reports`);
    const succeeded = events.filter(
      (e) =>
        e.type === "UpdateSucceeded" &&
        (data(e).revision as Json).fleet === target.fleet &&
        (data(e).revision as Json).number === target.number,
    );
    if (succeeded.length !== 1)
      found.terminals.push(`${deviceId}: ${succeeded.length} successes for the rollout revision`);

    let replayed: DeviceRecord | undefined;
    for (const event of events) replayed = evolveDevice(replayed, event);
    const row = projected.get(deviceId);
    // As stored: through JSON (jsonb keeps no undefined members and orders keys its own way).
    if (!isDeepStrictEqual(row, JSON.parse(JSON.stringify(replayed ?? null))))
      found.projection.push(
        `${deviceId}: projection ${JSON.stringify(row)} ≠ replay ${JSON.stringify(replayed)}`,
      );
  }
  const total = await system.pool.query<{ n: string }>("SELECT count(*) AS n FROM events");
  found.counts.events = Number(total.rows[0]?.n);
  return found;
}

/** SC_EVENTS message count and the status consumer's backlog, as the services' user sees them. */
export async function jetStreamTallies(system: FleetSystem): Promise<{
  relayed: number;
  statusPending: number;
  statusAckPending: number;
}> {
  const nc = await connect({
    servers: system.services.nats.url.split(","),
    ...credsConnectionOptions(system.services.servicesCreds),
  });
  try {
    const jsm = await jetstreamManager(nc);
    const events = await jsm.streams.info("SC_EVENTS");
    const status = await jsm.consumers.info("SC_DEVICE_STATUS", "sc-gateway-status");
    return {
      relayed: events.state.messages,
      statusPending: status.num_pending,
      statusAckPending: status.num_ack_pending,
    };
  } finally {
    await nc.close();
  }
}
