import { setTimeout as sleep } from "node:timers/promises";
import type { RemoteClient } from "./http-client.js";
import { FINAL_STATUSES, type RolloutView, rolloutBlock, rolloutLine } from "./rollout-view.js";

export interface WatchOptions {
  write: (text: string) => void;
  /** redraw bars in place (terminal) or print plain lines (logs, pipes) */
  tty: boolean;
  intervalMs: number;
  /** non-TTY: print the unchanged line again after this many polls, so logs show it is alive */
  heartbeatPolls?: number;
}

/**
 * Polls the rollout until it ends (completed, aborted, rolled back) and returns its last view.
 * On a terminal the per-wave bars are redrawn in place; otherwise a line is printed whenever
 * something changed, and at least every `heartbeatPolls` polls.
 */
export async function watchRollout(
  client: RemoteClient,
  rolloutId: string,
  options: WatchOptions,
): Promise<RolloutView> {
  const heartbeat = options.heartbeatPolls ?? 30;
  let drawn = 0;
  let last = "";
  let quiet = 0;
  for (;;) {
    const view = await client.get<RolloutView>(`/v1/rollouts/${encodeURIComponent(rolloutId)}`);
    if (options.tty) {
      const lines = rolloutBlock(view);
      const up = drawn > 0 ? `\x1b[${drawn}F` : "";
      options.write(`${up}${lines.map((l) => `\x1b[2K${l}\n`).join("")}`);
      drawn = lines.length;
    } else {
      const line = rolloutLine(view);
      if (line !== last || ++quiet >= heartbeat) {
        options.write(`${line}\n`);
        last = line;
        quiet = 0;
      }
    }
    if (FINAL_STATUSES.has(view.status)) return view;
    await sleep(options.intervalMs);
  }
}
