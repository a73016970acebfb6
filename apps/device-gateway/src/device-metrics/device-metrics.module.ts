import type { JetStreamClient } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { NatsConnection } from "@nats-io/transport-node";
import {
  type BeforeApplicationShutdown,
  Inject,
  Module,
  type OnApplicationBootstrap,
  Optional,
} from "@nestjs/common";
import { DEVICE_METRICS_BUCKET, MAX_METRICS_BYTES } from "@statecast/contract";
import { JETSTREAM, Metrics, NATS_CONNECTION, SERVICE_CONFIG } from "@statecast/platform";
import type { GatewayConfig } from "../config/gateway.config.js";
import { MetricsIngestor } from "./metrics-ingestor.js";
import { MetricsRate } from "./metrics-rate.js";

/** How long a device's last metrics stay in the bucket after it went silent. */
export const METRICS_MAX_AGE_MS = 3_600_000;

/** Device metrics: `sc.dev.<id>.metrics` validated into KV `sc_device_metrics` (issue 14). */
@Module({
  providers: [
    {
      provide: MetricsIngestor,
      inject: [NATS_CONNECTION, JETSTREAM, SERVICE_CONFIG],
      useFactory: async (nc: NatsConnection, js: JetStreamClient, config: GatewayConfig) => {
        const bucket = await new Kvm(js).create(DEVICE_METRICS_BUCKET, {
          history: 1,
          ttl: METRICS_MAX_AGE_MS,
          maxValueSize: MAX_METRICS_BYTES,
          replicas: config.natsReplicas,
        });
        return new MetricsIngestor(nc, bucket, new MetricsRate(config.metricsMinIntervalMs));
      },
    },
  ],
})
export class DeviceMetricsModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(MetricsIngestor) private readonly ingestor: MetricsIngestor,
    @Optional() @Inject(Metrics) metrics?: Metrics,
  ) {
    metrics?.onScrape(
      "statecast_gateway_device_metrics_stored_total",
      "Device metrics messages validated and kept as the device's latest (KV sc_device_metrics).",
      "counter",
      () => [{ value: ingestor.stored }],
    );
    metrics?.onScrape(
      "statecast_gateway_device_metrics_dropped_total",
      "Device metrics messages dropped, by reason (malformed, spoofed, rate, unstored).",
      "counter",
      () =>
        Object.entries(ingestor.dropped()).map(([reason, value]) => ({
          labels: { reason },
          value,
        })),
      ["reason"],
    );
  }

  onApplicationBootstrap(): void {
    this.ingestor.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.ingestor.stop();
  }
}
