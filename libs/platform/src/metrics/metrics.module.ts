import { Global, Inject, type MiddlewareConsumer, Module, type NestModule } from "@nestjs/common";
import { poolOf } from "@statecast/events";
import { DataSource } from "typeorm";
import { httpLatencyMiddleware } from "./http-metrics.js";
import { MetricsController } from "./metrics.controller.js";
import { Metrics } from "./metrics.js";
import { registerProcessMetrics } from "./process-metrics.js";
import { registerStoreGauges } from "./store-gauges.js";

/**
 * `/metrics` and the `Metrics` registry (global: features inject it, optionally, to expose
 * their counters), with Node's default metrics and every HTTP request's latency. Import it after
 * `PlatformModule`, which provides the DataSource.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [
    {
      provide: Metrics,
      inject: [DataSource],
      useFactory: (dataSource: DataSource) => {
        const metrics = new Metrics();
        registerProcessMetrics(metrics);
        registerStoreGauges(metrics, poolOf(dataSource));
        return metrics;
      },
    },
  ],
  exports: [Metrics],
})
export class MetricsModule implements NestModule {
  constructor(@Inject(Metrics) private readonly metrics: Metrics) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(httpLatencyMiddleware(this.metrics)).forRoutes("{*path}");
  }
}
