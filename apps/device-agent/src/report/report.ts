import type { HealthReportWire, StatusReport, UpdateStatus } from "@statecast/contract";

// The report's wire form is the contract's (libs/contract): the gateway validates with the same
// schema, and the journal checks every report against it before journaling.
export type { DownloadCounters, StatusReport, UpdateStatus } from "@statecast/contract";

/** The progress each status reports unless the step knows better. */
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

export type ReportInput = Pick<StatusReport, "revision" | "status" | "message"> &
  Partial<Pick<StatusReport, "reason" | "downloads" | "progress">>;

export function isFinal(status: UpdateStatus): boolean {
  return status === "DONE" || status === "UPDATED" || status === "WONTGO" || status === "ERROR";
}

/** What the agent saw go wrong with its committed revision after `DONE` (issue 14). */
export type { HealthKind } from "@statecast/contract";
/** A health report on the same subject and journal as progress reports (`kind: "health"`). */
export type HealthReport = HealthReportWire;

export type HealthInput = Omit<
  HealthReport,
  "kind" | "deviceId" | "bootId" | "seq" | "runtime" | "at"
>;

/** Everything the journal holds and the sender publishes, in one `(bootId, seq)` order. */
export type JournalEntry = StatusReport | HealthReport;

export const isHealth = (entry: JournalEntry): entry is HealthReport =>
  "kind" in entry && entry.kind === "health";
