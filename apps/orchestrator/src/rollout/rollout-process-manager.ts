import {
  deviceStreamId,
  type EventMetadata,
  type Partition,
  type PostgresEventStore,
  type RecordedEvent,
  streamKeyOf,
} from "@statecast/events";
import type pg from "pg";
import { foldDevice } from "../devices/device-record.js";
import { type DeviceJoinedSelector, type RolloutInput, SYSTEM_ACTOR } from "./domain/index.js";
import { FACT_TYPES, JOIN_TYPES, toDeviceFact } from "./rollout-facts.js";
import { holdingRollouts, matchesSelector } from "./rollout-fleet.js";
import type { LoadedRollout, RolloutStates } from "./rollout-states.js";
import type { RolloutWriter } from "./rollout-writer.js";

export const PROCESS_MANAGER_NAME = "orchestrator.rollout-process-manager";
export const PROCESS_MANAGER_TYPES: readonly string[] = [...FACT_TYPES, ...JOIN_TYPES];

/** What one batch did on this replica: facts routed to its rollouts, rollout events appended. */
export interface RolloutBatchOutcome {
  facts: number;
  decisions: number;
}

const WHOLE: Partition = { index: 0, count: 1, owns: () => true };

/**
 * The rollout process manager's batch handler: device facts of devices held by a running or
 * paused rollout, and devices joining an active rollout's selector, go through the decider; its
 * events, targets and timers are written through `client`, in the transaction that also moves
 * the processor's checkpoint (so a crash replays the batch, never half of it).
 *
 * Partitioned, it is partitioned by rollout: every partition reads every device event and keeps
 * those whose holding rollout (or joined rollout) hashes to it, so all of a rollout's inputs are
 * decided by one partition in log order and its gates count every device of it. The holder is
 * looked up when the partition handles the event, as the unpartitioned manager does; see README.
 */
export class RolloutProcessManager {
  constructor(
    private readonly store: PostgresEventStore,
    private readonly states: RolloutStates,
    private readonly writer: RolloutWriter,
    private readonly clock: () => Date,
    private readonly warn: (message: string) => void,
  ) {}

  async handle(
    events: readonly RecordedEvent[],
    client: pg.ClientBase,
    partition: Partition = WHOLE,
  ): Promise<RolloutBatchOutcome> {
    const now = this.clock().toISOString();
    let facts = 0;
    const deviceIds = [...new Set(events.map((e) => streamKeyOf(e.streamId)))];
    const holders = await holdingRollouts(client, deviceIds);
    const inputs = new Map<string, { inputs: RolloutInput[]; cause: RecordedEvent }>();
    const add = (rolloutId: string, input: RolloutInput, cause: RecordedEvent) => {
      const entry = inputs.get(rolloutId) ?? { inputs: [], cause };
      entry.inputs.push(input);
      inputs.set(rolloutId, entry);
    };
    let active: string[] | undefined; // read once per batch, only if a device may join
    for (const event of events) {
      if ((JOIN_TYPES as readonly string[]).includes(event.type)) {
        // Only this partition's rollouts: the others' partitions let the same device join theirs.
        active ??= (await activeRollouts(client)).filter((id) => partition.owns(id));
        if (active.length === 0) continue;
        for (const joiner of await this.joiners(client, event, active, holders, now))
          add(joiner.rolloutId, joiner.input, event);
        continue;
      }
      const fact = toDeviceFact(event, now);
      const holder = fact && "deviceId" in fact ? holders.get(fact.deviceId) : undefined;
      if (fact && holder && partition.owns(holder)) {
        add(holder, fact, event);
        facts++;
      }
    }
    const written: LoadedRollout[] = [];
    let decisions = 0;
    for (const [rolloutId, { inputs: batch, cause }] of inputs) {
      const result = await this.writer.apply(
        client,
        rolloutId,
        batch,
        metadataFor(cause, now),
        (input, error) =>
          this.warn(`rollout ${rolloutId} ignored ${input.type}: ${(error as Error).message}`),
      );
      written.push(result.loaded);
      decisions += result.events.length;
    }
    // Safe before the commit: a cached state is used only while its last event is in the stream.
    for (const loaded of written) this.states.remember(loaded);
    return { facts, decisions };
  }

  /**
   * A device approved (or enrolled with a token) or retagged into the selector of a running or
   * paused rollout. Pending and decommissioned devices never join.
   */
  private async joiners(
    client: pg.ClientBase,
    event: RecordedEvent,
    active: readonly string[],
    holders: Map<string, string>,
    now: string,
  ): Promise<{ rolloutId: string; input: DeviceJoinedSelector }[]> {
    const deviceId = streamKeyOf(event.streamId);
    const { events: history } = await this.store.readStream(deviceStreamId(deviceId), { client });
    const device = foldDevice(history);
    if (device?.approval !== "approved") return [];
    const heldBy = holders.get(deviceId) ?? null;
    const joins: { rolloutId: string; input: DeviceJoinedSelector }[] = [];
    for (const rolloutId of active) {
      if (heldBy === rolloutId) continue;
      const { state } = await this.states.load(rolloutId, client);
      if (state.status === "none" || !matchesSelector(device, state.definition.selector)) continue;
      const fleetDevice = {
        deviceId,
        currentRevision: device.currentRevision,
        online: device.online,
      };
      joins.push({
        rolloutId,
        input: { type: "DeviceJoinedSelector", device: fleetDevice, heldBy, now },
      });
    }
    return joins;
  }
}

async function activeRollouts(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ rollout_id: string }>(
    "SELECT rollout_id FROM rollouts WHERE status IN ('running', 'paused') ORDER BY created_at",
  );
  return rows.map((row) => row.rollout_id);
}

function metadataFor(cause: RecordedEvent, now: string): EventMetadata {
  return {
    actor: SYSTEM_ACTOR as EventMetadata["actor"],
    correlationId: cause.metadata.correlationId,
    causationId: cause.eventId,
    // The device report's trace goes on into the targets and gate decisions it causes.
    ...(cause.metadata.traceparent ? { traceparent: cause.metadata.traceparent } : {}),
    now,
  };
}
