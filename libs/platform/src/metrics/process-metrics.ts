import { collectDefaultMetrics } from "prom-client";
import type { Metrics } from "./metrics.js";

/**
 * What an operator checks first when a replica misbehaves: Node's default metrics (memory, CPU,
 * start time, event loop lag, GC, handles) and `nodejs_heap_used_bytes`, kept for dashboards.
 */
export function registerProcessMetrics(metrics: Metrics): void {
  collectDefaultMetrics({ register: metrics.registry });
  metrics.onScrape("nodejs_heap_used_bytes", "V8 heap in use, in bytes.", "gauge", () => [
    { value: process.memoryUsage().heapUsed },
  ]);
}
