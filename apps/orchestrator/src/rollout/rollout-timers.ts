import { setTimeout as sleep } from "node:timers/promises";
import type { EventMetadata, PostgresEventStore } from "@statecast/events";
import { type RolloutTimer, SYSTEM_ACTOR, type TimerElapsed, timerInput } from "./domain/index.js";
import type { LoadedRollout, RolloutStates } from "./rollout-states.js";
import type { RolloutWriter } from "./rollout-writer.js";

interface DueTimer {
  rollout_id: string;
  device_id: string;
  kind: RolloutTimer["kind"];
}

// SKIP LOCKED: replicas polling together each take different timers.
const TAKE_DUE = `DELETE FROM rollout_timers WHERE (rollout_id, device_id, kind) IN (
  SELECT rollout_id, device_id, kind FROM rollout_timers WHERE due_at <= $1
  ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED)
RETURNING rollout_id, device_id, kind`;

/**
 * Delivers due timers to their rollouts. The clock is read here and handed to the decider as
 * `now`. Taking a timer, deciding and writing the outcome are one transaction: a crash leaves
 * the timer in the table, to fire again.
 */
export class RolloutTimers {
  private stopped = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly store: PostgresEventStore,
    private readonly states: RolloutStates,
    private readonly writer: RolloutWriter,
    private readonly clock: () => Date,
    private readonly warn: (message: string) => void,
    private readonly pollMs = 250,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        const fired = await this.fireDue();
        if (fired > 0) continue;
      } catch (error) {
        this.warn(`rollout timers: ${(error as Error).message}`);
      }
      await sleep(this.pollMs);
    }
  }

  /** Fires up to `limit` due timers; returns how many. */
  async fireDue(limit = 200): Promise<number> {
    const now = this.clock().toISOString();
    const written: LoadedRollout[] = [];
    const fired = await this.store.transaction("rollout timers", async (client) => {
      written.length = 0;
      const { rows } = await client.query<DueTimer>(TAKE_DUE, [now, limit]);
      const byRollout = new Map<string, TimerElapsed[]>();
      for (const row of rows) {
        const list = byRollout.get(row.rollout_id) ?? [];
        list.push(timerInput({ kind: row.kind, deviceId: row.device_id }, now));
        byRollout.set(row.rollout_id, list);
      }
      const metadata: EventMetadata = {
        actor: SYSTEM_ACTOR as EventMetadata["actor"],
        correlationId: `timers-${now}`,
        causationId: `timers-${now}`,
        now,
      };
      for (const [rolloutId, inputs] of byRollout) {
        const result = await this.writer.apply(client, rolloutId, inputs, metadata, (input, e) =>
          this.warn(`rollout ${rolloutId} ignored ${input.type}: ${(e as Error).message}`),
        );
        written.push(result.loaded);
      }
      return rows.length;
    });
    for (const loaded of written) this.states.remember(loaded);
    return fired;
  }
}
