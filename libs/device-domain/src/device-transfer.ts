import type { RevisionRef } from "@statecast/contract";

/** Bytes of one apply or of a sum of applies. */
export interface TransferBytes {
  /** Full size of the objects the device lacked (what it would fetch without deltas). */
  needed: number;
  /** Bytes fetched, deltas and full objects together. */
  fetched: number;
  /** Of `fetched`, the bytes fetched as object deltas. */
  delta: number;
  /** Bytes reused from partial downloads of an earlier attempt. */
  resumed: number;
}

/** What a device has downloaded: its last apply and the sum over all its applies. */
export interface DeviceTransfer {
  last: (TransferBytes & { revision: RevisionRef }) | null;
  total: TransferBytes;
}

export const noTransfer = (): DeviceTransfer => ({
  last: null,
  total: { needed: 0, fetched: 0, delta: 0, resumed: 0 },
});

const KEYS = ["needed", "fetched", "delta", "resumed"] as const;
const count = (v: unknown) => (typeof v === "number" && Number.isSafeInteger(v) && v > 0 ? v : 0);

/**
 * Folds a report's `downloads` (as UpdateProgressReported stores it; reports of older agents
 * lack needed/delta/resumed, and then needed is their total) into the device's transfer.
 * Reports of one apply are cumulative: only their growth is added to the total.
 */
export function foldTransfer(
  transfer: DeviceTransfer,
  revision: RevisionRef,
  downloads: Record<string, unknown>,
): DeviceTransfer {
  const now: TransferBytes = {
    needed: count(downloads.needed ?? downloads.total),
    fetched: count(downloads.done),
    delta: count(downloads.delta),
    resumed: count(downloads.resumed),
  };
  const last = transfer.last;
  const same =
    last && last.revision.fleet === revision.fleet && last.revision.number === revision.number;
  const total = { ...transfer.total };
  for (const key of KEYS) total[key] += Math.max(0, now[key] - (same ? last[key] : 0));
  return { last: { revision, ...now }, total };
}
