import type { DeviceMetricsView } from "@statecast/contract/http";
import { bytes } from "./transfer-view.js";

/** A device's metrics as `GET /v1/devices/:id` shows them (servers since issue 14). */
export type MetricsView = DeviceMetricsView;

/** `3d 4h`, `2h 5m`, `4m 10s`, `12s`. */
export function duration(seconds: number): string {
  const s = Math.floor(seconds);
  const [d, h, m] = [
    Math.floor(s / 86_400),
    Math.floor((s % 86_400) / 3600),
    Math.floor((s % 3600) / 60),
  ];
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${s % 60}s`;
  return `${s}s`;
}

/** The `devices show` lines of a device's metrics: what it runs on, and each container. */
export function metricsLines(metrics: MetricsView | undefined): string[] {
  if (!metrics) return [];
  const { report } = metrics;
  if (metrics.freshness === "absent" || !report) return ["metrics    none received"];
  const age = `last seen ${Math.round(metrics.ageSeconds ?? 0)} s ago`;
  const stale =
    metrics.freshness === "stale" ? ` STALE (older than ${metrics.staleAfterSeconds} s)` : "";
  const sim = report.runtime === "sim" ? " (sim device: the host's numbers)" : "";
  const used = report.memory.totalBytes - report.memory.availableBytes;
  return [
    `metrics    ${age}${stale}${sim}`,
    `uptime     ${duration(report.uptimeSeconds)}`,
    `cpu        ${report.cpu.percent.toFixed(1)} % of ${report.cpu.cores} cores (load ${report.cpu.load1})`,
    `memory     ${bytes(used)} used of ${bytes(report.memory.totalBytes)} (${bytes(report.memory.availableBytes)} available)`,
    `disk free  ${bytes(report.disk.freeBytes)} of ${bytes(report.disk.totalBytes)}`,
    ...(report.containers.length === 0
      ? ["containers none"]
      : report.containers.map(
          (c, i) =>
            `${i === 0 ? "containers" : "          "} ${c.part} ${c.state}, ${c.restarts} restart${c.restarts === 1 ? "" : "s"}`,
        )),
  ];
}
