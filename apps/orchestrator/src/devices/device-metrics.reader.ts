import type { JetStreamClient } from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import { Inject, Injectable, Logger } from "@nestjs/common";
import { DEVICE_METRICS_BUCKET, deviceMetricsSchema } from "@statecast/contract";
import { JETSTREAM } from "@statecast/platform";
import { ABSENT_METRICS, type DeviceMetricsView, metricsView } from "./device-metrics.view.js";

/**
 * Reads a device's latest metrics from KV `sc_device_metrics`, which the gateway fills with
 * validated messages. No bucket yet, no entry, an unreadable one: `absent`, never an error: the
 * device's record is shown all the same.
 */
@Injectable()
export class DeviceMetricsReader {
  private readonly logger = new Logger("DeviceMetrics");
  private bucket: Promise<KV> | undefined;

  constructor(@Inject(JETSTREAM) private readonly js: JetStreamClient) {}

  async latest(deviceId: string, now = new Date()): Promise<DeviceMetricsView> {
    try {
      this.bucket ??= new Kvm(this.js).open(DEVICE_METRICS_BUCKET);
      const entry = await (await this.bucket).get(deviceId);
      if (entry?.operation !== "PUT") return ABSENT_METRICS;
      // The gateway wrote it validated; checked again, as whatever reads a bucket should.
      const parsed = deviceMetricsSchema.safeParse(entry.json());
      if (!parsed.success) return ABSENT_METRICS;
      return metricsView(parsed.data, entry.created, now);
    } catch (error) {
      this.bucket = undefined;
      this.logger.debug(`metrics of ${deviceId} not read: ${(error as Error).message}`);
      return ABSENT_METRICS;
    }
  }
}
