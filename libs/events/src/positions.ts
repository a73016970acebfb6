/**
 * A place in the global order of committed events. Read-all walks `(transactionId, globalPosition)`:
 * a bigserial alone is neither gapless nor in commit order.
 */
export interface LogPosition {
  transactionId: bigint;
  globalPosition: bigint;
}

export const START: LogPosition = Object.freeze({ transactionId: 0n, globalPosition: 0n });

export function comparePositions(a: LogPosition, b: LogPosition): number {
  if (a.transactionId !== b.transactionId) return a.transactionId < b.transactionId ? -1 : 1;
  if (a.globalPosition !== b.globalPosition) return a.globalPosition < b.globalPosition ? -1 : 1;
  return 0;
}
