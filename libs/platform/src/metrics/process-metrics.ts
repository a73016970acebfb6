import type { Metrics } from "./metrics.js";

/** What an operator checks first when a replica misbehaves: memory, CPU, uptime. */
export function registerProcessMetrics(metrics: Metrics, serviceStart = Date.now()): void {
  metrics.onScrape("process_resident_memory_bytes", "Resident set size in bytes.", "gauge", () => [
    { value: process.memoryUsage.rss() },
  ]);
  metrics.onScrape("nodejs_heap_used_bytes", "V8 heap in use, in bytes.", "gauge", () => [
    { value: process.memoryUsage().heapUsed },
  ]);
  metrics.onScrape(
    "process_cpu_seconds_total",
    "User and system CPU time spent, in seconds.",
    "counter",
    () => {
      const { user, system } = process.cpuUsage();
      return [{ value: (user + system) / 1e6 }];
    },
  );
  metrics.onScrape(
    "process_start_time_seconds",
    "Start time of the service since the Unix epoch, in seconds.",
    "gauge",
    () => [{ value: Math.floor(serviceStart / 1000) }],
  );
}
