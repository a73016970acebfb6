import { randomUUID } from "node:crypto";
import { constants } from "node:fs";
import { type FileHandle, open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { isFleetRevision, refusalOf } from "@statecast/contract";
import { readJsonFile } from "../fs/atomic.js";
import { withResourceRetry } from "../fs/resource-retry.js";
import type { Logger } from "../log.js";
import {
  type HealthInput,
  type HealthReport,
  isHealth,
  type JournalEntry,
  PROGRESS,
  type ReportInput,
  type StatusReport,
} from "./report.js";

/** A report the gateway would refuse: a bug in the agent, never journaled nor sent. */
export class ReportOutOfContract extends Error {
  override readonly name = "ReportOutOfContract";
}

/** The contract's bound on a report's message: a longer one is cut, and says so. */
const MAX_MESSAGE = 4096;
const TRUNCATED = " …(truncated)";
/**
 * The sent cursor's record, padded to one width and written in place: never shorter than what
 * any release wrote there (`{"count":N}` and a newline), so no old byte outlives a write.
 */
const CURSOR_WIDTH = 32;
/** Confirms gathered before the sent cursor is written. */
const CURSOR_DELAY_MS = 1_000;
const JOURNAL_FLAGS =
  constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_DSYNC;

/**
 * The persisted journal of reports: every report is appended and fsynced before anyone
 * sees it, and stays pending until a sender confirms it. After a restart or reconnect the
 * pending ones are replayed in order; `(deviceId, bootId, seq)` makes replays idempotent.
 */
export class ReportJournal {
  readonly bootId = randomUUID();
  private seq = 0;
  /** The last seq of this boot journaled to be sent (not kept back as local): the next `prevSeq`. */
  private lastToSend = 0;
  private readonly logPath: string;
  private readonly cursorPath: string;
  private listeners: ((report: StatusReport) => void)[] = [];
  private appendListeners: (() => void)[] = [];
  private appending: Promise<unknown> = Promise.resolve();
  /** Unsent reports once loaded (undefined until the first `pending()`). */
  private unsent: JournalEntry[] | undefined;
  private sentCount = 0;
  private loading: Promise<void> | undefined;
  /** The open journal file and its length (only `append` touches it, one at a time). */
  private file: { handle: FileHandle; size: number } | undefined;
  /** The sent cursor, open between writes (they are serialised by `cursorWrites`). */
  private cursor: FileHandle | undefined;
  /** The count the cursor file holds (as far as this journal wrote or read it). */
  private cursorCount = 0;
  private cursorDue: NodeJS.Timeout | undefined;
  private cursorWrites: Promise<void> = Promise.resolve();
  private closed = false;
  /** Stamped on every report while an apply runs, so the gateway continues its trace. */
  traceparent: string | undefined;
  /** Stamped on every report while an offline bundle installs. */
  via: "bundle" | undefined;

  constructor(
    dir: string,
    readonly deviceId: string,
    private readonly runtime: "lxc" | "sim",
    private readonly log?: Logger,
    /** How long confirms gather before the sent cursor is written (see `confirm`). */
    private readonly cursorDelayMs = CURSOR_DELAY_MS,
  ) {
    this.logPath = join(dir, "reports.jsonl");
    this.cursorPath = join(dir, "sent.json");
  }

  onReport(listener: (report: StatusReport) => void): void {
    this.listeners.push(listener);
  }

  /** Called after every entry (progress or health) is journaled: the sender flushes. */
  onAppend(listener: () => void): void {
    this.appendListeners.push(listener);
  }

  /** A health report, journaled and sent like a progress report, in the same seq order. */
  health(input: HealthInput): Promise<HealthReport> {
    const entry: HealthReport = {
      kind: "health",
      deviceId: this.deviceId,
      bootId: this.bootId,
      seq: this.seq + 1,
      ...input,
      message: bounded(input.message),
      runtime: this.runtime,
      at: new Date().toISOString(),
    };
    return this.journaled(entry).then(() => entry);
  }

  /**
   * Journals a report, after checking it with the gateway's own validation (libs/contract): a
   * report the gateway would drop as malformed is a bug, logged loudly and thrown, never
   * journaled to be dropped (and resent) silently.
   */
  report(input: ReportInput): Promise<StatusReport> {
    const report: StatusReport = {
      deviceId: this.deviceId,
      bootId: this.bootId,
      seq: this.seq + 1,
      revision: input.revision,
      status: input.status,
      progress: input.progress ?? PROGRESS[input.status],
      message: bounded(input.message),
      ...(input.reason !== undefined ? { reason: input.reason } : {}),
      ...(input.downloads !== undefined ? { downloads: input.downloads } : {}),
      runtime: this.runtime,
      ...(this.traceparent ? { traceparent: this.traceparent } : {}),
      ...(this.via ? { via: this.via } : {}),
      at: new Date().toISOString(),
    };
    return this.journaled(report).then(() => {
      for (const listener of this.listeners) listener(report);
      return report;
    });
  }

  /**
   * Checks the entry with the gateway's rules (see `report`), then takes its seq and appends it,
   * stamped with `prevSeq`: the seq of this boot's last entry journaled before it that the
   * sender will send (a local revision's are kept back), 0 for none. Stamped in the append
   * order, after the earlier appends succeeded, and journaled with the entry, so every resend
   * carries the same value. A boot's entries all go out or are all dropped by device id (the id
   * is the journal's, one per boot), so only `isLocal` decides what is sent within a boot.
   */
  private journaled(entry: JournalEntry): Promise<void> {
    const refusal = refusalOf(ReportJournal.isLocal(entry) ? asFleet(entry) : entry);
    if (refusal !== undefined) {
      const error = new ReportOutOfContract(`report out of contract (${refusal}); not sent`);
      this.log?.error(error.message, { report: entry });
      if (!this.log) process.stderr.write(`${error.message}: ${JSON.stringify(entry)}\n`);
      return Promise.reject(error);
    }
    this.seq = entry.seq;
    const done = this.appending.then(async () => {
      entry.prevSeq = this.lastToSend;
      // Out of descriptors or disk, the report waits (in order) rather than being lost.
      await withResourceRetry(() => this.append(entry), {
        log: this.log,
        what: "journaling a report",
      });
      if (!ReportJournal.isLocal(entry)) this.lastToSend = entry.seq;
      this.unsent?.push(entry);
    });
    this.appending = done.catch(() => undefined);
    return done.then(() => {
      for (const listener of this.appendListeners) listener();
    });
  }

  /**
   * Appends one line, on disk when the write returns (`O_DSYNC`: the data and the size that
   * reads it back, as `fdatasync`). The journal stays open between appends (appends are
   * serialised), so a report costs one write; after a failure it is opened again.
   */
  private async append(report: JournalEntry): Promise<void> {
    if (!this.file) {
      const handle = await open(this.logPath, JOURNAL_FLAGS, 0o600);
      try {
        this.file = { handle, size: (await handle.stat()).size };
      } catch (error) {
        await handle.close();
        throw error;
      }
    }
    const file = this.file;
    const line = Buffer.from(`${JSON.stringify(report)}\n`);
    try {
      const { bytesWritten } = await file.handle.write(line);
      if (bytesWritten !== line.length)
        throw new Error(`journal append wrote ${bytesWritten} of ${line.length} bytes`);
      file.size += line.length;
    } catch (error) {
      // A part-written line (disk full mid-write) would swallow the retried one: cut it off.
      await file.handle.truncate(file.size).catch(() => undefined);
      this.file = undefined;
      await file.handle.close().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      this.file = undefined;
      await file.handle.close().catch(() => undefined);
    }
  }

  /** Writes the sent cursor, closes the journal file (the agent stops); a later append opens it again. */
  async close(): Promise<void> {
    this.closed = true;
    await this.writeCursorNow();
    await this.appending;
    const file = this.file;
    this.file = undefined;
    await file?.handle.close().catch(() => undefined);
    const cursor = this.cursor;
    this.cursor = undefined;
    await cursor?.close().catch(() => undefined);
  }

  /**
   * Reports of an offline bundle named by the operator (`install --ref name`, or
   * `bundle:<digest>`) are journaled for the device's own record but name no fleet revision, so
   * the sender keeps them from the gateway (see StatusSender); every other field is checked.
   */
  static isLocal(entry: JournalEntry): boolean {
    return !isFleetRevision(entry.revision);
  }

  /** Every progress report ever journaled, oldest first (health reports left out). */
  async all(): Promise<StatusReport[]> {
    return (await this.entries()).filter((e): e is StatusReport => !isHealth(e));
  }

  /** Every entry ever journaled, oldest first (a torn last line from a crash is skipped). */
  async entries(): Promise<JournalEntry[]> {
    let text: string;
    try {
      text = await readFile(this.logPath, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const reports: JournalEntry[] = [];
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      try {
        reports.push(JSON.parse(line) as JournalEntry);
      } catch {
        // a line cut by kill -9 mid-append was never fsynced, so never reported
      }
    }
    return reports;
  }

  /**
   * Reports not yet confirmed by the gateway, in journal order. Read from disk once, then
   * kept in memory, so a long-running agent does not re-read its whole journal per report.
   */
  async pending(): Promise<JournalEntry[]> {
    await this.loadUnsent();
    return [...(this.unsent ?? [])];
  }

  /** Loads the unsent tail once, serialised with appends so none is missed or doubled. */
  private loadUnsent(): Promise<void> {
    if (!this.loading) {
      const loading = this.appending.then(() =>
        withResourceRetry(
          async () => {
            const cursor = await readJsonFile<{ count: number }>(this.cursorPath, { count: 0 });
            const all = await this.entries();
            this.sentCount = Math.min(cursor.count, all.length);
            this.cursorCount = cursor.count;
            this.unsent = all.slice(this.sentCount);
          },
          { log: this.log, what: "reading the report journal" },
        ),
      );
      this.loading = loading;
      // A failed load is tried again by the next caller, never cached.
      this.appending = loading.catch(() => {
        if (this.loading === loading) this.loading = undefined;
      });
    }
    return this.loading;
  }

  /**
   * Records that the oldest pending report reached the gateway. The sent cursor on disk follows
   * within `cursorDelayMs` (one write for the confirms of that time, not one each) and on
   * `close`: an agent killed before it resends the reports confirmed since, which the status
   * stream's msgID window and the gateway's (bootId, seq) check take as duplicates.
   */
  async confirm(report: JournalEntry): Promise<void> {
    await this.loadUnsent();
    const first = this.unsent?.[0];
    if (!first || first.bootId !== report.bootId || first.seq !== report.seq) {
      throw new Error(`confirm of ${report.bootId}:${report.seq} out of journal order`);
    }
    this.unsent!.shift();
    this.sentCount++;
    if (this.closed) return this.writeCursorNow();
    this.cursorDue ??= setTimeout(() => void this.writeCursorNow(), this.cursorDelayMs);
    this.cursorDue.unref();
  }

  /** Writes the sent cursor now if it is behind (serialised; a failure is logged, kept for the next). */
  private writeCursorNow(): Promise<void> {
    clearTimeout(this.cursorDue);
    this.cursorDue = undefined;
    this.cursorWrites = this.cursorWrites.then(async () => {
      const count = this.sentCount;
      if (count === this.cursorCount) return;
      await withResourceRetry(() => this.writeCursor(count), {
        log: this.log,
        what: "recording a sent report",
      }).then(
        () => {
          this.cursorCount = count;
        },
        (error: Error) =>
          this.log?.warn("sent cursor not written; confirmed reports may be sent again", {
            error: error.message,
          }),
      );
    });
    return this.cursorWrites;
  }

  /**
   * Overwrites the cursor in place on a file kept open: one write, where a temp file,
   * a rename and their metadata cost four calls and a journal commit of the file system each. Not
   * fsynced: a cursor lost to a power cut only sends confirmed reports again, which the status
   * stream's msgID window and the gateway's (bootId, seq) check take as duplicates.
   */
  private async writeCursor(count: number): Promise<void> {
    const record = Buffer.from(`${JSON.stringify({ count }).padEnd(CURSOR_WIDTH - 1)}\n`);
    const cursor =
      this.cursor ?? (await open(this.cursorPath, constants.O_RDWR | constants.O_CREAT, 0o600));
    this.cursor = cursor;
    try {
      await cursor.write(record, 0, record.length, 0);
    } catch (error) {
      this.cursor = undefined;
      await cursor.close().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      this.cursor = undefined;
      await cursor.close().catch(() => undefined);
    }
  }
}

/** A local report checked as if it named a fleet revision: every other field must be valid. */
function bounded(message: string): string {
  return message.length > MAX_MESSAGE
    ? `${message.slice(0, MAX_MESSAGE - TRUNCATED.length)}${TRUNCATED}`
    : message;
}

function asFleet<T extends JournalEntry>(entry: T): T {
  return entry.revision.length > 0 && entry.revision.length <= 200
    ? { ...entry, revision: "local#0" }
    : entry;
}
