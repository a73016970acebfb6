import { randomUUID } from "node:crypto";
import { open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { isFleetRevision, refusalOf } from "@statecast/contract";
import { readJsonFile, writeJsonAtomic } from "../fs/atomic.js";
import type { Logger } from "../log.js";
import { PROGRESS, type ReportInput, type StatusReport } from "./report.js";

/** A report the gateway would refuse: a bug in the agent, never journaled nor sent. */
export class ReportOutOfContract extends Error {
  override readonly name = "ReportOutOfContract";
}

/** The contract's bound on a report's message: a longer one is cut, and says so. */
const MAX_MESSAGE = 4096;
const TRUNCATED = " …(truncated)";

/**
 * The persisted journal of reports: every report is appended and fsynced before anyone
 * sees it, and stays pending until a sender confirms it. After a restart or reconnect the
 * pending ones are replayed in order; `(deviceId, bootId, seq)` makes replays idempotent.
 */
export class ReportJournal {
  readonly bootId = randomUUID();
  private seq = 0;
  private readonly logPath: string;
  private readonly cursorPath: string;
  private listeners: ((report: StatusReport) => void)[] = [];
  private appending: Promise<unknown> = Promise.resolve();
  /** Unsent reports once loaded (undefined until the first `pending()`). */
  private unsent: StatusReport[] | undefined;
  private sentCount = 0;
  private loading: Promise<void> | undefined;
  /** Stamped on every report while an apply runs, so the gateway continues its trace. */
  traceparent: string | undefined;

  constructor(
    dir: string,
    private readonly deviceId: string,
    private readonly runtime: "lxc" | "sim",
    private readonly log?: Logger,
  ) {
    this.logPath = join(dir, "reports.jsonl");
    this.cursorPath = join(dir, "sent.json");
  }

  onReport(listener: (report: StatusReport) => void): void {
    this.listeners.push(listener);
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
      message:
        input.message.length > MAX_MESSAGE
          ? `${input.message.slice(0, MAX_MESSAGE - TRUNCATED.length)}${TRUNCATED}`
          : input.message,
      ...(input.reason !== undefined ? { reason: input.reason } : {}),
      ...(input.downloads !== undefined ? { downloads: input.downloads } : {}),
      runtime: this.runtime,
      ...(this.traceparent ? { traceparent: this.traceparent } : {}),
      at: new Date().toISOString(),
    };
    const refusal = refusalOf(isFleetRevision(report.revision) ? report : asFleet(report));
    if (refusal !== undefined) {
      const error = new ReportOutOfContract(`report out of contract (${refusal}); not sent`);
      this.log?.error(error.message, { report });
      if (!this.log) process.stderr.write(`${error.message}: ${JSON.stringify(report)}\n`);
      return Promise.reject(error);
    }
    this.seq = report.seq;
    const done = this.appending.then(async () => {
      await this.append(report);
      this.unsent?.push(report);
    });
    this.appending = done.catch(() => undefined);
    return done.then(() => {
      for (const listener of this.listeners) listener(report);
      return report;
    });
  }

  private async append(report: StatusReport): Promise<void> {
    const handle = await open(this.logPath, "a", 0o600);
    try {
      await handle.write(`${JSON.stringify(report)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /**
   * Reports of an offline bundle named by the operator (`install --ref name`, or
   * `bundle:<digest>`) are journaled for the device's own record but name no fleet revision, so
   * the sender keeps them from the gateway (see StatusSender); every other field is checked.
   */
  static isLocal(report: StatusReport): boolean {
    return !isFleetRevision(report.revision);
  }

  /** Every report ever journaled, oldest first (a torn last line from a crash is skipped). */
  async all(): Promise<StatusReport[]> {
    let text: string;
    try {
      text = await readFile(this.logPath, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const reports: StatusReport[] = [];
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      try {
        reports.push(JSON.parse(line) as StatusReport);
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
  async pending(): Promise<StatusReport[]> {
    await this.loadUnsent();
    return [...(this.unsent ?? [])];
  }

  /** Loads the unsent tail once, serialised with appends so none is missed or doubled. */
  private loadUnsent(): Promise<void> {
    if (!this.loading) {
      this.loading = this.appending.then(async () => {
        const cursor = await readJsonFile<{ count: number }>(this.cursorPath, { count: 0 });
        const all = await this.all();
        this.sentCount = Math.min(cursor.count, all.length);
        this.unsent = all.slice(this.sentCount);
      });
      this.appending = this.loading.catch(() => undefined);
    }
    return this.loading;
  }

  /** Records that the oldest pending report reached the gateway. */
  async confirm(report: StatusReport): Promise<void> {
    await this.loadUnsent();
    const first = this.unsent?.[0];
    if (!first || first.bootId !== report.bootId || first.seq !== report.seq) {
      throw new Error(`confirm of ${report.bootId}:${report.seq} out of journal order`);
    }
    this.unsent!.shift();
    await writeJsonAtomic(this.cursorPath, { count: ++this.sentCount });
  }
}

/** A local report checked as if it named a fleet revision: every other field must be valid. */
function asFleet(report: StatusReport): StatusReport {
  return report.revision.length > 0 && report.revision.length <= 200
    ? { ...report, revision: "local#0" }
    : report;
}
