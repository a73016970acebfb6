import type { TransferBytes } from "@statecast/contract/http";

/** Bytes downloaded, as the API shows them for a device apply, a device total or a rollout. */
export type TransferView = TransferBytes;

const MIB = 1024 * 1024;

/** `1.2 MiB` / `2147 B`: bytes as an operator reads them. */
export function bytes(n: number): string {
  if (n < 10 * 1024) return `${n} B`;
  if (n < 10 * MIB) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / MIB).toFixed(1)} MiB`;
}

/** `fetched 2147 B of 34.5 MiB needed (0.01 %), 2147 B as deltas, 0 B resumed`. */
export function transferText(t: TransferView): string {
  const share = t.needed > 0 ? ` (${((t.fetched / t.needed) * 100).toFixed(2)} %)` : "";
  return `fetched ${bytes(t.fetched)} of ${bytes(t.needed)} needed${share}, ${bytes(t.delta)} as deltas, ${bytes(t.resumed)} resumed`;
}
