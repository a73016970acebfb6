import type pg from "pg";
import type { Partition } from "./partitions.js";
import { comparePositions, type LogPosition } from "./positions.js";
import type { PostgresEventStore, ReadAllResult } from "./postgres-event-store.js";
import type { ProcessorOptions } from "./processor.js";
import { processorLocks as locks } from "./processor-locks.js";
import { EVENTS_CHANNEL } from "./schema.js";

type SessionOptions = ProcessorOptions & { batchSize: number };

/** Which partition a session works on, and how it competes for it. */
export interface SessionPartition {
  /** Its checkpoint row and lock: the processor's name when unpartitioned. */
  name: string;
  partition: Partition;
  /** Whether this replica takes the partition at once (else only once it has been free a while). */
  preferred: boolean;
  takeoverAfterMs: number;
}

const READ_CHECKPOINT = `SELECT transaction_id::text, global_position::text
FROM processor_checkpoints WHERE processor_name = $1`;
// Guarded by the old value: if two instances ever overlapped, the second commit would fail.
const ADVANCE_CHECKPOINT = `UPDATE processor_checkpoints
SET transaction_id = $2::xid8, global_position = $3, updated_at = now()
WHERE processor_name = $1 AND transaction_id = $4::xid8 AND global_position = $5`;

/** Most windows of other types' events one transaction passes before it commits its checkpoint. */
const SKIPPED_WINDOWS = 20;

const same = (a: LogPosition, b: LogPosition) => comparePositions(a, b) === 0;

/** One processor partition's loop on its own connection: lock, read a batch, handle, checkpoint. */
export class ProcessorSession {
  position: LogPosition | undefined;
  active = false;
  /** The checkpoint row's value as this session last read or wrote it (undefined: read it). */
  private checkpoint: LogPosition | undefined;
  /** Events passed to `handle` in batches that committed, by this session. */
  handledEvents = 0;
  private client: pg.Client | undefined;
  private stopping = false;
  private woken = false;
  private wake: (() => void) | undefined;
  private fenced = false;
  private claimed = false;
  private freeSince: number | undefined;
  private lastClaimCheck = 0;

  constructor(
    private readonly store: PostgresEventStore,
    private readonly options: SessionOptions,
    readonly slot: SessionPartition,
    private readonly newClient: () => pg.Client,
  ) {}

  private get partitioned(): boolean {
    return this.slot.partition.count > 1;
  }

  requestStop(): void {
    this.stopping = true;
    this.wakeUp();
  }

  async run(): Promise<void> {
    const standbyMs = this.options.standbyRetryMs ?? 1000;
    while (!this.stopping) {
      try {
        const client = await this.connection();
        if (!this.active && !(await this.becomeActive(client))) {
          await this.pause(standbyMs);
          continue;
        }
        const moved = await this.processBatch(client);
        if (await this.handBackIfClaimed(client, standbyMs)) continue;
        if (!moved) await this.pause(this.options.pollIntervalMs ?? 500);
      } catch (error) {
        this.report(error);
        // A failed COMMIT may or may not have moved the row: read it again before going on.
        this.checkpoint = undefined;
        if (this.client) await this.rollbackOrDrop(this.client);
        await this.pause(this.options.retryDelayMs ?? 1000);
      }
    }
    await this.drop();
  }

  /**
   * Reads past the session's checkpoint outside any transaction, so an idle poll is one query;
   * only a window with events opens one: handle, move the checkpoint (guarded by the value this
   * session knows), commit. After any failure the checkpoint is read again from its row.
   */
  private async processBatch(client: pg.Client): Promise<boolean> {
    const { partition } = this.slot;
    const from = this.checkpoint ?? (await this.readCheckpoint(client));
    const read = await this.readWindows(client, from);
    const { position } = read;
    if (same(position, from)) {
      this.position = from;
      return false;
    }
    // By stream (the default), a partition sees only its streams' events; by handler, all of them.
    const events =
      this.partitioned && this.options.routing !== "handler"
        ? read.events.filter((event) => partition.owns(event.streamId))
        : read.events;
    // Nothing to handle in the window: the checkpoint moves in one statement of its own (no
    // BEGIN and COMMIT around it: two round trips fewer for every wake of a sparse processor).
    if (events.length === 0) {
      await this.advance(client, from, position);
      this.checkpoint = position;
      this.position = position;
      return true;
    }
    await client.query("BEGIN");
    const outcome = await this.options.handle(events, client, partition);
    await this.advance(client, from, position);
    await client.query("COMMIT");
    this.checkpoint = position;
    this.position = position;
    this.handledEvents += events.length;
    this.options.onCommitted?.(outcome, events, partition);
    this.store.announceIfAppendedIn(client);
    return true;
  }

  /** Moves the checkpoint row from `from` (the value this session knows) to `to`. */
  private async advance(client: pg.Client, from: LogPosition, to: LogPosition): Promise<void> {
    const advanced = await client.query(ADVANCE_CHECKPOINT, [
      this.slot.name,
      to.transactionId.toString(),
      to.globalPosition.toString(),
      from.transactionId.toString(),
      from.globalPosition.toString(),
    ]);
    if (advanced.rowCount !== 1) {
      throw new Error(
        `checkpoint of processor ${this.slot.name} moved under it: is another instance running?`,
      );
    }
  }

  private async readCheckpoint(client: pg.Client): Promise<LogPosition> {
    const { name } = this.slot;
    const { rows } = await client.query<{ transaction_id: string; global_position: string }>(
      READ_CHECKPOINT,
      [name],
    );
    const row = rows[0];
    if (!row) throw new Error(`checkpoint row of processor ${name} disappeared`);
    const checkpoint = {
      transactionId: BigInt(row.transaction_id),
      globalPosition: BigInt(row.global_position),
    };
    this.checkpoint = checkpoint;
    return checkpoint;
  }

  /**
   * The next window of `batchSize` events after `from`, through the store's windows shared by its
   * processors (a stretch another processor read is served from memory). With `types`, a window holding none of
   * them is passed and the next one read, up to SKIPPED_WINDOWS windows: a long run of events
   * this processor does not handle costs one checkpoint commit, not one per window.
   */
  private async readWindows(client: pg.Client, from: LogPosition): Promise<ReadAllResult> {
    const { batchSize: limit, types } = this.options;
    let after = from;
    let read = await this.store.readAllShared({ after, limit, types, client });
    for (
      let windows = 1;
      types && windows < SKIPPED_WINDOWS && read.events.length === 0 && !same(read.position, after);
      windows++
    ) {
      after = read.position;
      read = await this.store.readAllShared({ after, limit, types, client });
    }
    return read;
  }

  private async becomeActive(client: pg.Client): Promise<boolean> {
    const { name, preferred, takeoverAfterMs } = this.slot;
    if (this.partitioned) {
      if (!this.fenced) this.fenced = await locks.tryFence(client, this.options.name);
      if (!this.fenced) return false;
      if (preferred && !this.claimed) this.claimed = await locks.tryClaim(client, name);
      if (!preferred) {
        const taken = await locks.takenByOthers(client, name);
        if (taken.held || taken.claimed) {
          this.freeSince = undefined;
          return false;
        }
        this.freeSince ??= Date.now();
        if (Date.now() - this.freeSince < takeoverAfterMs) return false;
      }
    }
    if (!(await locks.tryLock(client, name))) return false;
    await locks.ensureCheckpoint(client, name, this.options.name);
    this.checkpoint = undefined;
    this.active = true;
    this.freeSince = undefined;
    this.options.onPartition?.(this.slot.partition, true);
    return true;
  }

  /** A partition held only because its preferred replica was away goes back once it claims it. */
  private async handBackIfClaimed(client: pg.Client, everyMs: number): Promise<boolean> {
    if (!this.partitioned || this.slot.preferred) return false;
    if (Date.now() - this.lastClaimCheck < everyMs) return false;
    this.lastClaimCheck = Date.now();
    if (!(await locks.takenByOthers(client, this.slot.name)).claimed) return false;
    await locks.unlock(client, this.slot.name);
    this.active = false;
    this.options.onPartition?.(this.slot.partition, false);
    return true;
  }

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = this.newClient();
    // A broken connection surfaces as a failed query; this only keeps the error from crashing us.
    client.on("error", (error) => this.report(error));
    client.on("notification", () => this.wakeUp());
    this.client = client;
    await client.connect();
    await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    return client;
  }

  private async rollbackOrDrop(client: pg.Client): Promise<void> {
    try {
      await client.query("ROLLBACK");
    } catch {
      await this.drop();
    }
  }

  /** Ends the connection, which also releases the session's locks. */
  private async drop(): Promise<void> {
    const client = this.client;
    const wasActive = this.active;
    this.client = undefined;
    this.active = false;
    this.fenced = false;
    this.claimed = false;
    this.freeSince = undefined;
    if (wasActive) this.options.onPartition?.(this.slot.partition, false);
    if (!client) return;
    // pg's end() never settles on a connection the server already closed: bound the wait.
    let timer: NodeJS.Timeout | undefined;
    const bounded = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, 1_000);
    });
    await Promise.race([client.end().catch(() => {}), bounded]);
    clearTimeout(timer);
  }

  private pause(ms: number): Promise<void> {
    if (this.woken || this.stopping) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wake = undefined;
        self.woken = false;
        resolve();
      }
      this.wake = done;
    });
  }

  private wakeUp(): void {
    if (this.wake) this.wake();
    else this.woken = true;
  }

  private report(error: unknown): void {
    const wrapped = error instanceof Error ? error : new Error(String(error));
    this.options.onError?.(wrapped);
  }
}
