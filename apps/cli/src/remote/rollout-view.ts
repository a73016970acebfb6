import { formatRevision } from "@statecast/contract";
import { bar } from "./progress.js";
import { type TransferView, transferText } from "./transfer-view.js";

/** One wave as `GET /v1/rollouts/:id` reports it (the fields the CLI shows). */
export interface WaveView {
  index: number;
  status: string;
  size: number;
  gate: { state: string; succeeded: number; finished: number; failures: number; required: number };
  soak: { soakSeconds: number; soakingDevices: number; remainingSeconds: number };
  /** Servers since issue 20: a wave the schedule holds back starts then. */
  deferredUntil?: string | null;
}

/** A rollout's progress. */
export interface RolloutView {
  rolloutId: string;
  status: string;
  revision: { fleet: string; number: number };
  currentWave: number | null;
  devices: number;
  waves: WaveView[];
  etaSeconds: number | null;
  rollbackOf?: string | null;
  /** Devices held by an update lock longer than the fleet's limit (servers since issue 20). */
  overLongLocks?: { deviceId: string; detail: string; seconds: number }[];
  /** A consenting fleet's answers (servers since issue 20). */
  consent?: { asked: number; accept: number; later: number; skip: number };
  /** Bytes the rollout's devices downloaded (servers since issue 21). */
  transfer?: TransferView & { devices: number };
}

/** Statuses after which nothing more happens to a rollout. */
export const FINAL_STATUSES = new Set(["completed", "aborted", "rolled_back"]);

function waveText(w: WaveView): string {
  const soak =
    w.soak.soakingDevices > 0
      ? `, soaking ${w.soak.soakingDevices} (${Math.ceil(w.soak.remainingSeconds)}s left)`
      : "";
  const deferred = w.deferredUntil ? `, starts ${w.deferredUntil}` : "";
  return `${w.status} ${w.gate.succeeded}/${w.size} ok, ${w.gate.failures} failed${soak}${deferred}`;
}

function heading(r: RolloutView): string {
  const wave = r.currentWave === null ? "" : ` wave ${r.currentWave + 1}/${r.waves.length}`;
  const eta = r.etaSeconds === null ? "" : ` eta ${r.etaSeconds}s`;
  return `rollout ${r.rolloutId} → ${formatRevision(r.revision)}: ${r.status}${wave}, ${r.devices} device(s)${eta}`;
}

/** One plain line for logs: the rollout and every wave. */
export function rolloutLine(r: RolloutView): string {
  const waves = r.waves.map((w) => `w${w.index + 1} ${waveText(w)}`);
  return [heading(r), ...waves].join(" | ");
}

/** Several lines for a terminal: the heading, then a progress bar per wave. */
export function rolloutBlock(r: RolloutView): string[] {
  return [
    heading(r),
    ...r.waves.map((w) => `  wave ${w.index + 1} ${bar(w.gate.finished, w.size)} ${waveText(w)}`),
    ...(r.consent && Object.values(r.consent).some((n) => n > 0)
      ? [
          `  consent: ${r.consent.accept} accepted, ${r.consent.skip} skipped, ${r.consent.later} later, ${r.consent.asked} asked`,
        ]
      : []),
    ...(r.overLongLocks ?? []).map(
      (l) => `  over-long lock: ${l.deviceId} ${l.detail} (${l.seconds}s)`,
    ),
    ...(r.transfer
      ? [`  transfer ${r.transfer.devices} devices: ${transferText(r.transfer)}`]
      : []),
  ];
}
