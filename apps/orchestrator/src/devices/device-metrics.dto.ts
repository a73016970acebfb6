import { ApiProperty, ApiPropertyOptional } from "@nestjs/swagger";
import { CONTAINER_STATES } from "@statecast/contract";

class CpuMetrics {
  @ApiProperty({ description: "busy share of all cores since the previous message, 0-100" })
  percent!: number;
  @ApiProperty() cores!: number;
  @ApiProperty({ description: "1-minute load average" }) load1!: number;
}

class MemoryMetrics {
  @ApiProperty() totalBytes!: number;
  @ApiProperty() availableBytes!: number;
}

class DiskMetrics {
  @ApiProperty({ description: "the filesystem of the agent's store" }) totalBytes!: number;
  @ApiProperty() freeBytes!: number;
}

class ContainerMetricsDto {
  @ApiProperty() part!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: CONTAINER_STATES }) state!: string;
  @ApiProperty({ description: "auto_recovery restarts since the agent started" })
  restarts!: number;
}

/** The device's metrics message (contract `deviceMetricsSchema`, v 1). */
class DeviceMetricsReport {
  @ApiProperty({ enum: ["metrics"] }) kind!: "metrics";
  @ApiProperty({ enum: [1] }) v!: 1;
  @ApiProperty() deviceId!: string;
  @ApiProperty() bootId!: string;
  @ApiProperty({ enum: ["lxc", "sim"], description: "sim: a simulated device" }) runtime!: string;
  @ApiPropertyOptional({ description: "the committed revision, <fleet>#<n>" }) revision?: string;
  @ApiProperty() intervalSeconds!: number;
  @ApiProperty() uptimeSeconds!: number;
  @ApiProperty({ type: CpuMetrics }) cpu!: CpuMetrics;
  @ApiProperty({ type: MemoryMetrics }) memory!: MemoryMetrics;
  @ApiProperty({ type: DiskMetrics }) disk!: DiskMetrics;
  @ApiProperty({ type: [ContainerMetricsDto] }) containers!: ContainerMetricsDto[];
  @ApiProperty({ description: "the device's clock" }) at!: string;
}

export class DeviceMetricsResponse {
  @ApiProperty({
    enum: ["fresh", "stale", "absent"],
    description: "stale: older than three of the device's intervals; absent: none kept",
  })
  freshness!: "fresh" | "stale" | "absent";
  @ApiProperty({ type: String, nullable: true, description: "when the gateway stored them" })
  receivedAt!: string | null;
  @ApiProperty({ type: Number, nullable: true }) ageSeconds!: number | null;
  @ApiProperty({ type: Number, nullable: true }) staleAfterSeconds!: number | null;
  @ApiProperty({ type: DeviceMetricsReport, nullable: true }) report!: DeviceMetricsReport | null;
}
