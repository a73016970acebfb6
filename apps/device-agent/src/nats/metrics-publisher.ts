import type { NatsConnection } from "@nats-io/transport-node";
import { METRICS_INTERVAL_MS, MIN_METRICS_INTERVAL_MS, metricsSubject } from "@statecast/contract";
import type { Logger } from "../log.js";
import type { MetricsCollector } from "../metrics/metrics-collector.js";

/** The interval an agent uses: the asked one, never below the contract's floor; 0 = off. */
export function metricsIntervalMs(asked = METRICS_INTERVAL_MS): number {
  return asked <= 0 ? 0 : Math.max(MIN_METRICS_INTERVAL_MS, asked);
}

/**
 * Publishes the device's metrics on `sc.dev.<id>.metrics` (core NATS: presence, not history) at
 * connect and then every interval, at most one per {@link MIN_METRICS_INTERVAL_MS}. Nothing is
 * journaled: a message lost while offline is simply superseded by the next one.
 */
export class MetricsPublisher {
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private lastSentAt = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly deviceId: string,
    private readonly collector: MetricsCollector,
    private readonly log: Logger,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.intervalMs <= 0) return;
    void this.send();
    this.timer = setInterval(() => void this.send(), this.intervalMs);
    this.timer.unref();
  }

  /** One message now, unless one went out less than the floor ago or one is being collected. */
  send(): Promise<void> {
    if (Date.now() - this.lastSentAt < MIN_METRICS_INTERVAL_MS) return Promise.resolve();
    this.sending ??= this.publish().finally(() => (this.sending = undefined));
    return this.sending;
  }

  private async publish(): Promise<void> {
    try {
      const metrics = await this.collector.collect();
      if (this.nc.isClosed()) return;
      this.nc.publish(metricsSubject(this.deviceId), JSON.stringify(metrics));
      this.lastSentAt = Date.now();
    } catch (error) {
      this.log.warn("metrics not sent", { error: (error as Error).message });
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
