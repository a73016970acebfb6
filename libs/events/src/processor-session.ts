import type pg from "pg";
import type { LogPosition } from "./positions.js";
import type { PostgresEventStore } from "./postgres-event-store.js";
import type { ProcessorOptions } from "./processor.js";
import { EVENTS_CHANNEL } from "./schema.js";

type SessionOptions = ProcessorOptions & { batchSize: number };

// 64-bit hash of the name: distinct processors never share a lock by accident.
const TRY_LOCK =
  "SELECT pg_try_advisory_lock(hashtextextended('sc_processor:' || $1, 0)) AS locked";
const READ_CHECKPOINT = `SELECT transaction_id::text, global_position::text
FROM processor_checkpoints WHERE processor_name = $1`;
// Guarded by the old value: if two instances ever overlapped, the second commit would fail.
const ADVANCE_CHECKPOINT = `UPDATE processor_checkpoints
SET transaction_id = $2::xid8, global_position = $3, updated_at = now()
WHERE processor_name = $1 AND transaction_id = $4::xid8 AND global_position = $5`;

/** One processor's loop on its own connection: lock, read a batch, handle, checkpoint, repeat. */
export class ProcessorSession {
  position: LogPosition | undefined;
  active = false;
  private client: pg.Client | undefined;
  private stopping = false;
  private woken = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly store: PostgresEventStore,
    private readonly options: SessionOptions,
    private readonly newClient: () => pg.Client,
  ) {}

  requestStop(): void {
    this.stopping = true;
    this.wakeUp();
  }

  async run(): Promise<void> {
    while (!this.stopping) {
      try {
        const client = await this.connection();
        if (!this.active && !(await this.becomeActive(client))) {
          await this.pause(this.options.standbyRetryMs ?? 1000);
          continue;
        }
        const moved = await this.processBatch(client);
        if (!moved) await this.pause(this.options.pollIntervalMs ?? 500);
      } catch (error) {
        this.report(error);
        if (this.client) await this.rollbackOrDrop(this.client);
        await this.pause(this.options.retryDelayMs ?? 1000);
      }
    }
    await this.drop();
  }

  private async processBatch(client: pg.Client): Promise<boolean> {
    const { name, batchSize, types } = this.options;
    await client.query("BEGIN");
    const { rows } = await client.query<{ transaction_id: string; global_position: string }>(
      READ_CHECKPOINT,
      [name],
    );
    const row = rows[0];
    if (!row) throw new Error(`checkpoint row of processor ${name} disappeared`);
    const from = {
      transactionId: BigInt(row.transaction_id),
      globalPosition: BigInt(row.global_position),
    };
    const { events, position } = await this.store.readAll({
      after: from,
      limit: batchSize,
      types,
      client,
    });
    if (
      position.globalPosition === from.globalPosition &&
      position.transactionId === from.transactionId
    ) {
      await client.query("COMMIT");
      this.position = from;
      return false;
    }
    if (events.length > 0) await this.options.handle(events, client);
    const advanced = await client.query(ADVANCE_CHECKPOINT, [
      name,
      position.transactionId.toString(),
      position.globalPosition.toString(),
      row.transaction_id,
      row.global_position,
    ]);
    if (advanced.rowCount !== 1) {
      throw new Error(
        `checkpoint of processor ${name} moved under it: is another instance running?`,
      );
    }
    await client.query("COMMIT");
    this.position = position;
    this.store.announceIfAppendedIn(client);
    return true;
  }

  private async becomeActive(client: pg.Client): Promise<boolean> {
    const { rows } = await client.query<{ locked: boolean }>(TRY_LOCK, [this.options.name]);
    if (!rows[0]?.locked) return false;
    await client.query(
      "INSERT INTO processor_checkpoints (processor_name) VALUES ($1) ON CONFLICT DO NOTHING",
      [this.options.name],
    );
    this.active = true;
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

  /** Ends the connection, which also releases the session lock. */
  private async drop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.active = false;
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
