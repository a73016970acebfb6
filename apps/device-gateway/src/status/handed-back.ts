/**
 * Per device, the stream sequences of reports handed back to JetStream (nakked) because the
 * device already had as many reports held in memory as it may, oldest first. A later report of
 * the device is handed back too until the oldest comes back, so none overtakes another (it would
 * then be dropped as stale) and the device's reports are applied in the order it sent them.
 */
export class HandedBackReports {
  private readonly byDevice = new Map<string, number[]>();

  /**
   * Whether the report at stream sequence `seq` may be queued now (`room`: the device holds
   * fewer reports than it may): `take`, or `hand-back` — `first` when it was not handed back
   * before (for the count of rate-limited reports).
   */
  admit(deviceId: string, seq: number, room: boolean): "take" | "hand-back" | "hand-back-first" {
    const waiting = this.byDevice.get(deviceId) ?? [];
    const oldest = waiting[0];
    if (room && (oldest === undefined || oldest === seq)) {
      if (oldest === seq) waiting.shift();
      if (waiting.length === 0) this.byDevice.delete(deviceId);
      return "take";
    }
    if (waiting.includes(seq)) return "hand-back";
    const at = waiting.findIndex((s) => s > seq);
    waiting.splice(at < 0 ? waiting.length : at, 0, seq);
    this.byDevice.set(deviceId, waiting);
    return "hand-back-first";
  }
}
