import type {
  RolloutDefinitionRequest,
  RolloutProgressView,
  RolloutSummaryView,
  WaveSpec,
} from "@statecast/contract/http";
import type { DemoApi } from "./demo-api.js";

type RolloutView = Pick<RolloutProgressView, "rolloutId" | "status" | "waves">;

/** Three waves (10/30/60 %), a short soak, at most 20 % failures per wave. */
export const demoWaves = (): WaveSpec[] =>
  [10, 30, 60].map((percent) => ({
    size: { percent },
    minSample: 1,
    soakSeconds: 3,
    maxFailures: { percent: 20 },
  }));

/** The fleet's newest rollout, if any, but those in `skip` (the QEMU board's own). */
export async function lastRollout(api: DemoApi, fleet: string, skip: string[] = []) {
  const all = await api.get<RolloutSummaryView[]>("/v1/rollouts");
  return all.filter((r) => r.revision.fleet === fleet && !skip.includes(r.rolloutId)).at(-1);
}

/** One wave for the QEMU board alone: it reboots into the new BSP under TCG, so 15 minutes. */
export const boardRollout = (deviceId: string): DemoRolloutOptions => ({
  ids: [deviceId],
  waves: [{ size: { percent: 100 }, minSample: 1, soakSeconds: 0, maxFailures: { count: 0 } }],
  deviceTimeoutSeconds: 900,
});

export interface DemoRolloutOptions {
  ids?: string[];
  waves?: WaveSpec[];
  deviceTimeoutSeconds?: number;
}

/**
 * A rollout of `number` to the fleet's devices named in `ids` (every device of the fleet when
 * unset), in the demo's three waves unless `waves` says otherwise.
 */
export async function createDemoRollout(
  api: DemoApi,
  fleet: string,
  number: number,
  o: DemoRolloutOptions = {},
) {
  const definition: RolloutDefinitionRequest = {
    revision: { fleet, number },
    selector: { fleet, ...(o.ids ? { ids: o.ids } : {}) },
    waves: o.waves ?? demoWaves(),
    ...(o.deviceTimeoutSeconds ? { deviceTimeoutSeconds: o.deviceTimeoutSeconds } : {}),
  };
  const created = await api.call<RolloutProgressView>("POST", "/v1/rollouts", definition);
  return created.rolloutId;
}

/** One line per change: each wave's status and succeeded/size, failures and soaking devices. */
export function progressLine(view: RolloutView): string {
  const waves = view.waves.map((w, i) => {
    const extra = [
      w.counts.failed ? `${w.counts.failed} failed` : "",
      w.soak.soakingDevices ? `${w.soak.soakingDevices} soaking` : "",
    ].filter(Boolean);
    return `wave ${i + 1} ${w.status} ${w.counts.succeeded ?? 0}/${w.size}${extra.length ? ` (${extra.join(", ")})` : ""}`;
  });
  return `rollout ${view.rolloutId} ${view.status}: ${waves.join(" | ")}`;
}

/** Polls the rollout, printing a line when its progress changes, until it is no longer running. */
export async function watchRollout(
  api: DemoApi,
  rolloutId: string,
  print: (line: string) => void,
  stopped: () => boolean,
): Promise<RolloutProgressView | undefined> {
  let last = "";
  for (;;) {
    if (stopped()) return undefined;
    const view = await api.get<RolloutProgressView>(`/v1/rollouts/${rolloutId}`);
    const line = progressLine(view);
    if (line !== last) print(line);
    last = line;
    if (view.status !== "running" && view.status !== "created") return view;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export interface RunRolloutOptions {
  /** Starts it first (a created rollout), with this reason in the audit. */
  startReason?: string;
  /** Printed once it is started (or taken over), before its progress lines. */
  line?: string;
  print: (line: string) => void;
  stopped: () => boolean;
}

/**
 * Starts (when asked) and watches a rollout to its end, printing its progress: the demo fleet's
 * rollout and the QEMU board's own both run this way. Undefined when the demo stopped first.
 */
export async function runDemoRollout(
  api: DemoApi,
  rolloutId: string,
  o: RunRolloutOptions,
): Promise<{ view: RolloutProgressView; seconds: number } | undefined> {
  if (o.startReason !== undefined)
    await api.call("POST", `/v1/rollouts/${rolloutId}/start`, { reason: o.startReason });
  if (o.line) o.print(o.line);
  const started = Date.now();
  const view = await watchRollout(api, rolloutId, o.print, o.stopped);
  return view && { view, seconds: Math.round((Date.now() - started) / 1000) };
}
