import { Controller, Get, Header, Inject } from "@nestjs/common";
import { Metrics, PROMETHEUS_CONTENT_TYPE } from "./metrics.js";

/** `GET /metrics`: the registry in Prometheus text format, public like `/health`. */
@Controller("metrics")
export class MetricsController {
  constructor(@Inject(Metrics) private readonly metrics: Metrics) {}

  @Get()
  @Header("Content-Type", PROMETHEUS_CONTENT_TYPE)
  @Header("Cache-Control", "no-store")
  scrape(): Promise<string> {
    return this.metrics.render();
  }
}
