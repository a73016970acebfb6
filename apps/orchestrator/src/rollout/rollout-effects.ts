import {
  deviceStreamId,
  type EventMetadata,
  type NewEvent,
  type PostgresEventStore,
  type StreamAppend,
  streamKeyOf,
  UnprocessableError,
} from "@statecast/events";
import type pg from "pg";
import { windowsOfDevices } from "../maintenance/maintenance-windows.js";
import {
  type AssignTarget,
  type CancelTarget,
  formatRevision,
  type RevisionRef,
  type RolloutEvent,
  type RolloutOutputCommand,
  type ScheduleTimer,
  type StartRollbackRollout,
} from "./domain/index.js";
import { revisionDigest } from "./rollout-fleet.js";
import { startRollbackRollout } from "./rollout-rollback.js";
import type { LoadedRollout } from "./rollout-states.js";
import type { RolloutWriter } from "./rollout-writer.js";

/** Carries out the decider's commands inside the writer's transaction. */
export class RolloutEffects {
  constructor(
    private readonly store: PostgresEventStore,
    private readonly writer: RolloutWriter,
  ) {}

  async carryOut(
    client: pg.ClientBase,
    commands: readonly RolloutOutputCommand[],
    metadata: EventMetadata,
  ): Promise<void> {
    const of = <T extends RolloutOutputCommand["type"]>(type: T) =>
      commands.filter((c): c is Extract<RolloutOutputCommand, { type: T }> => c.type === type);
    await this.assignTargets(client, of("AssignTarget"), metadata);
    await this.cancelTargets(client, of("CancelTarget"), metadata);
    await this.scheduleTimers(client, of("ScheduleTimer"));
    for (const command of of("StartRollbackRollout"))
      await this.startRollback(client, command, metadata);
  }

  /** `TargetAssigned` on each device stream, with the next per-device `seq`. */
  private async assignTargets(
    client: pg.ClientBase,
    commands: readonly AssignTarget[],
    metadata: EventMetadata,
  ): Promise<void> {
    if (commands.length === 0) return;
    const seqs = await lastSeqs(
      client,
      commands.map((c) => c.deviceId),
    );
    const digests = new Map<string, string>();
    const windows = await windowsOfDevices(
      this.store,
      client,
      commands.map((c) => c.deviceId),
    );
    const appends = new DeviceAppends();
    for (const command of commands) {
      const key = formatRevision(command.revision);
      const digest = digests.get(key) ?? (await digestOf(client, command.revision));
      digests.set(key, digest);
      const { deviceId, revision, rolloutId, waveIndex } = command;
      const seq = (seqs.get(deviceId) ?? 0) + 1;
      seqs.set(deviceId, seq); // a second target for the device in this decision gets the next seq
      const rules = windows.get(deviceId);
      const data = {
        revision,
        digest,
        rolloutId,
        waveIndex,
        seq,
        ...(rules?.windows ? { maintenanceWindows: rules.windows } : {}),
        ...(rules?.consentRequired ? { consentRequired: true } : {}),
      };
      appends.add(deviceId, { type: "TargetAssigned", data, metadata });
    }
    // One statement for the whole wave: every target or none.
    await this.store.appendMany(appends.list(), { client });
  }

  /** `TargetCancelled` naming the seq of the target it withdraws. */
  private async cancelTargets(
    client: pg.ClientBase,
    commands: readonly CancelTarget[],
    metadata: EventMetadata,
  ): Promise<void> {
    if (commands.length === 0) return;
    const seqs = await lastSeqs(
      client,
      commands.map((c) => c.deviceId),
    );
    const appends = new DeviceAppends();
    for (const { deviceId, revision, rolloutId } of commands) {
      const seq = seqs.get(deviceId);
      if (seq === undefined) continue; // never assigned: nothing to withdraw
      const data = { revision, seq, reason: `cancelled by rollout ${rolloutId}` };
      appends.add(deviceId, { type: "TargetCancelled", data, metadata });
    }
    if (appends.size > 0) await this.store.appendMany(appends.list(), { client });
  }

  private async scheduleTimers(client: pg.ClientBase, commands: readonly ScheduleTimer[]) {
    if (commands.length === 0) return;
    await client.query(
      `INSERT INTO rollout_timers (rollout_id, device_id, kind, due_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])
       ON CONFLICT (rollout_id, device_id, kind) DO UPDATE SET due_at = excluded.due_at`,
      [
        commands.map((c) => c.timer.rolloutId),
        commands.map((c) => c.timer.deviceId),
        commands.map((c) => c.timer.kind),
        commands.map((c) => c.at),
      ],
    );
  }

  private startRollback(
    client: pg.ClientBase,
    command: StartRollbackRollout,
    metadata: EventMetadata,
  ): Promise<void> {
    return startRollbackRollout(this.writer, client, command, metadata);
  }

  /** Keeps `rollouts` and `rollout_members` in step with the events just appended. */
  async recordSummary(
    client: pg.ClientBase,
    loaded: LoadedRollout,
    events: readonly RolloutEvent[],
    now: string,
  ): Promise<void> {
    const { state } = loaded;
    if (state.status === "none") return;
    await client.query(
      `INSERT INTO rollouts (rollout_id, status, revision, rollback_of, version, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (rollout_id) DO UPDATE SET status = $2, version = $5, updated_at = $7`,
      [
        state.rolloutId,
        state.status,
        JSON.stringify(state.definition.revision),
        state.rollbackOf,
        loaded.version,
        state.createdAt,
        now,
      ],
    );
    const joined = events.flatMap((event) => {
      if (event.type === "RolloutStarted")
        return event.data.plan.flatMap((wave) => wave.devices.map((d) => d.deviceId));
      return event.type === "DeviceJoinedRollout" ? [event.data.deviceId] : [];
    });
    if (joined.length > 0)
      await client.query(
        `INSERT INTO rollout_members (rollout_id, device_id)
         SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`,
        [state.rolloutId, joined],
      );
  }
}

/** Events per device stream, in command order, for one multi-stream append (any version). */
class DeviceAppends {
  private readonly byDevice = new Map<string, NewEvent[]>();

  add(deviceId: string, event: NewEvent): void {
    const events = this.byDevice.get(deviceId) ?? [];
    events.push(event);
    this.byDevice.set(deviceId, events);
  }

  get size(): number {
    return this.byDevice.size;
  }

  list(): StreamAppend[] {
    return [...this.byDevice].map(([deviceId, events]) => ({
      streamId: deviceStreamId(deviceId),
      events,
      expectedVersion: "any",
    }));
  }
}

async function lastSeqs(client: pg.ClientBase, deviceIds: string[]): Promise<Map<string, number>> {
  const { rows } = await client.query<{ stream_id: string; seq: number }>(
    `SELECT stream_id, max((data ->> 'seq')::int) AS seq FROM events
     WHERE stream_id = ANY($1::text[]) AND type = 'TargetAssigned' GROUP BY stream_id`,
    [deviceIds.map(deviceStreamId)],
  );
  return new Map(rows.map((row) => [streamKeyOf(row.stream_id), row.seq]));
}

async function digestOf(client: pg.ClientBase, revision: RevisionRef): Promise<string> {
  const digest = await revisionDigest(client, revision);
  if (digest === undefined)
    throw new UnprocessableError(`revision ${formatRevision(revision)} does not exist`);
  return digest;
}
