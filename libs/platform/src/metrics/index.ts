export { Counter, Gauge, Histogram, type LabelValues } from "./instruments.js";
export { DEFAULT_SECONDS_BUCKETS, Metrics, type SampleReader } from "./metrics.js";
export { MetricsModule } from "./metrics.module.js";
export { parseFamilyTypes, parseSamples } from "./prometheus-parse.js";
export {
  encodeFamilies,
  type MetricFamily,
  type MetricType,
  PROMETHEUS_CONTENT_TYPE,
  type Sample,
} from "./prometheus-text.js";
