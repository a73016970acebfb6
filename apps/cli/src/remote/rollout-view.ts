import { formatRevision } from "@statecast/contract";
import type { RolloutProgressView, WaveProgressView } from "@statecast/contract/http";
import { bar } from "./progress.js";
import { transferText } from "./transfer-view.js";

type Gate = WaveProgressView["gate"];

/** One wave as `GET /v1/rollouts/:id` reports it (the contract's, the fields the CLI shows). */
export type WaveView = Pick<WaveProgressView, "index" | "status" | "size" | "soak"> & {
  gate: Pick<Gate, "state" | "succeeded" | "finished" | "failures" | "required">;
  /** Servers since issue 20: a wave the schedule holds back starts then. */
  deferredUntil?: WaveProgressView["deferredUntil"];
};

/** A rollout's progress (the contract's; what servers before issues 20 and 21 lack optional). */
export type RolloutView = Pick<
  RolloutProgressView,
  "rolloutId" | "status" | "revision" | "currentWave" | "devices" | "etaSeconds"
> &
  Partial<
    Pick<RolloutProgressView, "rollbackOf" | "overLongLocks" | "consent" | "transfer" | "pace">
  > & {
    waves: WaveView[];
  };

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
    ...(r.pace ? [`  paced: ${r.pace.inFlight} of at most ${r.pace.maxInFlight} updating`] : []),
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
