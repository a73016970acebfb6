export {
  DEFAULT_SECONDS_BUCKETS,
  Metrics,
  PROMETHEUS_CONTENT_TYPE,
  type Sample,
  type SampleReader,
} from "./metrics.js";
export { MetricsModule } from "./metrics.module.js";
export { parseFamilyTypes, parseSamples } from "./prometheus-parse.js";
