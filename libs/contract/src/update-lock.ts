/** The reason of a DOWNLOADING report from a device whose install an app's update lock holds. */
export const WAITING_FOR_LOCK = "waiting_for_lock";

export type LockWait = { container: string; holder: string; since: string };

/** The message of that report: one text form, read back by `lockWaitOf`. */
export function lockWaitMessage(lock: LockWait): string {
  return `downloaded; held by the update lock of ${lock.container} (holder ${lock.holder}) since ${lock.since}`;
}

/** The lock from a `lockWaitMessage`, or null. */
export function lockWaitOf(message: string | undefined): LockWait | null {
  const match = /^downloaded; held by the update lock of (\S+) \(holder (\S+)\) since (\S+)$/.exec(
    message ?? "",
  );
  if (!match?.[1] || !match[2] || !match[3]) return null;
  return { container: match[1], holder: match[2], since: match[3] };
}
