import { ApiProperty, ApiPropertyOptional } from "@nestjs/swagger";
import { DEVICE_ID, DEVICE_ID_RULE } from "@statecast/contract";
import { Type } from "class-transformer";
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from "class-validator";

// The one device-id rule, the one enrollment uses: the API takes no id a device cannot enroll with.
const STATUSES = [
  "NEW",
  "QUEUED",
  "DOWNLOADING",
  "INPROGRESS",
  "TESTING",
  "DONE",
  "UPDATED",
  "WONTGO",
  "ERROR",
  "CANCELLED",
];

export class DeviceIdParams {
  @ApiProperty({ pattern: DEVICE_ID.source })
  @Matches(DEVICE_ID, { message: `device id must be ${DEVICE_ID_RULE}` })
  id!: string;
}

export class DeviceListQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) fleet?: string;

  @ApiPropertyOptional({ description: "key=value (tag equals) or key (tag present)" })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  tag?: string;

  @ApiPropertyOptional({ enum: STATUSES, description: "last update status" })
  @IsOptional()
  @IsIn(STATUSES)
  status?: string;

  @ApiPropertyOptional({ enum: ["online", "offline"] })
  @IsOptional()
  @IsIn(["online", "offline"])
  presence?: "online" | "offline";

  @ApiPropertyOptional({ enum: ["pending", "approved", "decommissioned"] })
  @IsOptional()
  @IsIn(["pending", "approved", "decommissioned"])
  approval?: string;

  @ApiPropertyOptional({ description: "the `next` value of the previous page" })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class DeviceAtQuery {
  @ApiPropertyOptional({ description: "time travel: the device as it was at this ISO instant" })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: "at must be an ISO-8601 instant" })
  at?: string;
}

export class DeviceHistoryQuery {
  @ApiPropertyOptional({ description: "events after this stream version" })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  after?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class PatchTagsRequest {
  @ApiProperty({
    type: "object",
    additionalProperties: { type: "string" },
    example: { site: "lab" },
  })
  @IsObject()
  tags!: Record<string, string>;
}

export class DecommissionDeviceRequest {
  @ApiPropertyOptional({ maxLength: 4096 })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  reason?: string;
}

export class DeviceResponse {
  @ApiProperty() deviceId!: string;
  @ApiProperty({ type: String, nullable: true }) fleet!: string | null;
  @ApiProperty({ type: "object", additionalProperties: { type: "string" } }) tags!: Record<
    string,
    string
  >;
  @ApiProperty({ enum: ["pending", "approved", "decommissioned"] }) approval!: string;
  @ApiProperty({ type: "object", nullable: true, additionalProperties: true })
  currentRevision!: unknown;
  @ApiProperty({ type: "object", nullable: true, additionalProperties: true }) target!: unknown;
  @ApiProperty({ type: String, nullable: true }) lastStatus!: string | null;
  @ApiProperty({ type: String, nullable: true }) lastReason!: string | null;
  @ApiProperty() online!: boolean;
  @ApiProperty({ type: String, nullable: true }) lastSeenAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) enrolledAt!: string | null;
  @ApiProperty() version!: number;
  @ApiProperty() updatedAt!: string;
}

export class DevicePageResponse {
  @ApiProperty({ type: [DeviceResponse] }) items!: DeviceResponse[];
  @ApiProperty({ type: String, nullable: true }) next!: string | null;
}
