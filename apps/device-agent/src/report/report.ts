import type { StatusReport, UpdateStatus } from "@statecast/contract";

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
