import { availableParallelism, loadavg } from "node:os";
import { type ContainerMetrics, type DeviceMetrics, REVISION_TEXT } from "@statecast/contract";
import type { RevisionSpec } from "../model/revision.js";
import type { ContainerRuntime } from "../runtime/runtime.js";
import { type CpuTimes, cpuPercent, type HostReadings, procReadings } from "./proc-readings.js";

export interface MetricsSources {
  deviceId: string;
  bootId: string;
  runtime: ContainerRuntime;
  /** The filesystem whose free space counts (the agent's store). */
  storeDir: string;
  committed: () => RevisionSpec | undefined;
  /** auto_recovery restarts of a container since the agent started. */
  restartsOf: (containerName: string) => number;
  intervalSeconds: number;
  /** Where /proc is (tests point it elsewhere). */
  proc?: string;
  /** What reads the host (default: `proc` at every collection). */
  readings?: HostReadings;
}

/**
 * One metrics message (contract `deviceMetricsSchema` v1) from /proc, statfs and the runtime's
 * view of the committed revision's containers. CPU is measured between two collections.
 */
export class MetricsCollector {
  private lastCpu: CpuTimes = { busy: 0, total: 0 };
  private readonly host: HostReadings;

  constructor(private readonly sources: MetricsSources) {
    this.host = sources.readings ?? procReadings(sources.proc);
  }

  async collect(now = new Date()): Promise<DeviceMetrics> {
    const s = this.sources;
    const cpu = await this.host.cpu();
    const percent = cpuPercent(this.lastCpu, cpu);
    this.lastCpu = cpu;
    const revision = s.committed();
    return {
      kind: "metrics",
      v: 1,
      deviceId: s.deviceId,
      bootId: s.bootId,
      runtime: s.runtime.kind,
      // An offline install may name its revision otherwise: only a fleet revision is sent.
      ...(revision && REVISION_TEXT.test(revision.ref) ? { revision: revision.ref } : {}),
      intervalSeconds: s.intervalSeconds,
      uptimeSeconds: await this.host.uptime(),
      cpu: {
        percent,
        cores: availableParallelism(),
        load1: Math.round((loadavg()[0] ?? 0) * 100) / 100,
      },
      memory: await this.host.memory(),
      disk: await this.host.disk(s.storeDir),
      containers: await this.containers(revision),
      at: now.toISOString(),
    };
  }

  private async containers(revision: RevisionSpec | undefined): Promise<ContainerMetrics[]> {
    const parts = (revision?.parts ?? []).slice(0, 64);
    return Promise.all(
      parts.map(async (part) => ({
        part: part.name,
        name: part.containerName,
        state: await this.sources.runtime.state(part.containerName).catch(() => "ABSENT" as const),
        restarts: this.sources.restartsOf(part.containerName),
      })),
    );
  }
}
