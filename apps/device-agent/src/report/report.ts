/** Pantavisor's device update statuses (DESIGN §5). */
export type UpdateStatus =
  | "QUEUED"
  | "DOWNLOADING"
  | "INPROGRESS"
  | "TESTING"
  | "DONE"
  | "UPDATED"
  | "WONTGO"
  | "ERROR";

export const PROGRESS: Record<UpdateStatus, number> = {
  QUEUED: 5,
  DOWNLOADING: 25,
  INPROGRESS: 50,
  TESTING: 75,
  DONE: 100,
  UPDATED: 100,
  WONTGO: 100,
  ERROR: 100,
};

export interface DownloadCounters {
  totalBytes: number;
  fetchedBytes: number;
  objects: number;
  objectsFetched: number;
  /** Bytes reused from earlier partial downloads (sent on the last DOWNLOADING report). */
  resumedBytes?: number;
  /** Full size of the objects the device lacked: what it would fetch without deltas. */
  neededBytes?: number;
  /** Of `fetchedBytes`, the bytes fetched as object deltas (the rest are full objects). */
  deltaBytes?: number;
  /** Objects rebuilt from a delta (checked against their sha256). */
  deltaObjects?: number;
}

/** A progress report as published on `sc.dev.<deviceId>.status`. */
export interface StatusReport {
  deviceId: string;
  bootId: string;
  seq: number;
  revision: string;
  status: UpdateStatus;
  progress: number;
  message: string;
  reason?: string;
  downloads?: DownloadCounters;
  /** `lxc` or `sim`: a simulated device says so in every report. */
  runtime: "lxc" | "sim";
  /** W3C trace context of the apply this report belongs to (see trace/trace.ts). */
  traceparent?: string;
  /** `bundle` on the reports of an offline install: the gateway records where the revision came from. */
  via?: "bundle";
  at: string;
}

export type ReportInput = Pick<StatusReport, "revision" | "status" | "message"> &
  Partial<Pick<StatusReport, "reason" | "downloads" | "progress">>;

export function isFinal(status: UpdateStatus): boolean {
  return status === "DONE" || status === "UPDATED" || status === "WONTGO" || status === "ERROR";
}

export function messageId(report: JournalEntry): string {
  return `${report.deviceId}:${report.bootId}:${report.seq}`;
}

/** What the agent saw go wrong with its committed revision after `DONE` (issue 14). */
export type HealthKind =
  | "container_exited"
  | "container_restarted"
  | "status_goal_lost"
  | "agent_restarted"
  | "board_rebooted";

/** A health report on the same subject and journal as progress reports (`kind: "health"`). */
export interface HealthReport {
  kind: "health";
  deviceId: string;
  bootId: string;
  seq: number;
  revision: string;
  health: HealthKind;
  part?: string;
  exitCode?: number;
  signal?: number;
  /** Occurrences between `firstAt` and `lastAt` (a crash loop is one report with a count). */
  count: number;
  firstAt: string;
  lastAt: string;
  message: string;
  runtime: "lxc" | "sim";
  at: string;
}

export type HealthInput = Omit<
  HealthReport,
  "kind" | "deviceId" | "bootId" | "seq" | "runtime" | "at"
>;

/** Everything the journal holds and the sender publishes, in one `(bootId, seq)` order. */
export type JournalEntry = StatusReport | HealthReport;

export const isHealth = (entry: JournalEntry): entry is HealthReport =>
  "kind" in entry && entry.kind === "health";
