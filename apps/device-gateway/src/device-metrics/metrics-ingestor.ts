import type { KV } from "@nats-io/kv";
import type { Msg, NatsConnection, Subscription } from "@nats-io/transport-node";
import { Logger } from "@nestjs/common";
import { deviceIdOfSubject, METRICS_SUBJECTS, parseDeviceMetrics } from "@statecast/contract";
import type { MetricsRate } from "./metrics-rate.js";

/** Replicas share device metrics through this queue group. */
export const METRICS_QUEUE = "sc-device-metrics";

/**
 * Takes each device's metrics from `sc.dev.<id>.metrics` (core NATS), validates them with the
 * contract's schema, and keeps the latest per device in KV `sc_device_metrics` (history 1, a
 * bounded age): presence, never events. Malformed, spoofed and too-frequent messages are dropped
 * and counted; nothing a device sends can throw here.
 */
export class MetricsIngestor {
  private readonly logger = new Logger("DeviceMetrics");
  private subscription: Subscription | undefined;
  private readonly drops = new Map<string, number>();
  private readonly pending = new Set<Promise<unknown>>();
  stored = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly bucket: KV,
    private readonly rate: MetricsRate,
  ) {}

  start(): void {
    this.subscription = this.nc.subscribe(METRICS_SUBJECTS, {
      queue: METRICS_QUEUE,
      callback: (_error, msg) => this.take(msg),
    });
  }

  private take(msg: Msg): void {
    const deviceId = deviceIdOfSubject(msg.subject, "metrics");
    if (!deviceId) {
      this.drop("malformed", msg.subject, "not a device's metrics subject");
      return;
    }
    if (!this.rate.take(deviceId)) {
      this.drop("rate", deviceId, "more often than the metrics bound");
      return;
    }
    const parsed = parseDeviceMetrics(msg.data, deviceId);
    if (!parsed.ok) {
      this.drop(parsed.reason, deviceId, parsed.detail);
      return;
    }
    const put = this.bucket
      .put(deviceId, JSON.stringify(parsed.metrics))
      .then(() => this.stored++)
      .catch((error: Error) => this.drop("unstored", deviceId, error.message))
      .finally(() => this.pending.delete(put));
    this.pending.add(put);
  }

  private drop(reason: string, deviceId: string, detail: string): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
    const line = `metrics from ${deviceId.slice(0, 64)} dropped (${reason}): ${detail.slice(0, 300)}`;
    // A flood is cut by the rate bound before anything is parsed; saying so each time would flood.
    if (reason === "rate") this.logger.debug(line);
    else this.logger.warn(line);
  }

  dropped(): Record<string, number> {
    return Object.fromEntries(this.drops);
  }

  async stop(): Promise<void> {
    await this.subscription?.drain();
    await Promise.allSettled([...this.pending]);
  }
}
