import type { ControlSockets } from "../control/control-server.js";
import type { CrashPoint } from "../faults/crash-point.js";
import type { Logger } from "../log.js";
import type { RevisionSpec } from "../model/revision.js";
import type { Step } from "../plan/steps.js";
import type { ReportJournal } from "../report/journal.js";
import type { ReportInput, StatusReport } from "../report/report.js";
import type { LocalStore } from "../store/local-store.js";
import type { AgentConfig } from "./agent-config.js";

/** What boot and install share with the agent that runs them (the agent implements it). */
export interface ApplyContext {
  readonly config: AgentConfig;
  readonly store: LocalStore;
  readonly journal: ReportJournal;
  readonly log: Logger;
  readonly control: ControlSockets;
  readonly crashPoint: (point: CrashPoint) => void;
  /** Board mode: the revision the bootloader booted (kernel command line), if it says. */
  booted?: string | undefined;
  /** Board mode: the other `statecast.*` kernel arguments (for reports). */
  bootMarkers?: string[];
  /** The committed revision (pv_rev) as the agent runs it. */
  committed: RevisionSpec | undefined;
  /** Executes planned steps one by one, `onStep` before each. */
  run(steps: Step[], onStep?: (step: Step) => Promise<void>): Promise<void>;
  /** Runs `work` in a span of the traced apply in progress, if any. */
  traced<T>(name: string, work: () => Promise<T>): Promise<T>;
  /** A final report: settles the target's seq, then journals the report. */
  finish(report: ReportInput): Promise<StatusReport>;
  /** Board mode: reboots the board (the watchdog stops being petted first). */
  reboot(why: string): Promise<void>;
  /** auto_recovery and health watch the committed revision again (an install waits). */
  watchCommitted(): void;
  /** auto_recovery and health stop (the install goes on to change containers). */
  suspendWatchers(): Promise<void>;
  /** A verified state as the agent runs it (group timeout override, mount-only). */
  toSpec(state: Record<string, unknown>, id: string, ref: string): RevisionSpec;
}
