import type { DeviceMetrics } from "../types";

const GIB = 1024 ** 3;
const gib = (bytes: number) => `${(bytes / GIB).toFixed(1)} GiB`;
const hours = (seconds: number) =>
  seconds >= 3600
    ? `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`
    : `${Math.floor(seconds / 60)} min`;

/** A device's latest metrics: what it runs on and each container, and how old that is. */
export function Metrics(props: { metrics: DeviceMetrics }) {
  const { report, freshness, ageSeconds } = props.metrics;
  if (!report || freshness === "absent") return <span>none received</span>;
  return (
    <span data-testid="metrics">
      last seen {Math.round(ageSeconds ?? 0)} s ago
      {freshness === "stale" && <strong> (stale)</strong>}
      {report.runtime === "sim" && " (sim device)"} · up {hours(report.uptimeSeconds)} · CPU{" "}
      {report.cpu.percent.toFixed(1)} % of {report.cpu.cores} · memory{" "}
      {gib(report.memory.availableBytes)} free of {gib(report.memory.totalBytes)} · disk{" "}
      {gib(report.disk.freeBytes)} free
      <br />
      {report.containers.map((c) => `${c.part} ${c.state} (${c.restarts} restarts)`).join(", ") ||
        "no containers"}
    </span>
  );
}
