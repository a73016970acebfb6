import { ApiProperty, ApiPropertyOptional } from "@nestjs/swagger";
import { DEVICE_ID, DEVICE_ID_RULE, KEY_FINGERPRINT } from "@statecast/contract";
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
import { DecimalInt } from "../openapi/decimal-int.js";
import { DeviceMetricsResponse } from "./device-metrics.dto.js";

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

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 2 ** 31 - 1,
    description: "number of the revision the device runs",
  })
  @IsOptional()
  @DecimalInt()
  @IsInt()
  @Min(1)
  @Max(2 ** 31 - 1)
  revision?: number;

  @ApiPropertyOptional({ description: "the `next` value of the previous page" })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @DecimalInt()
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class DeviceAtQuery {
  @ApiPropertyOptional({
    description:
      "time travel: the device as it was at this ISO instant, to the millisecond (events recorded up to the end of that millisecond count; finer digits are ignored)",
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: "at must be an ISO-8601 instant" })
  at?: string;
}

export class DeviceHistoryQuery {
  @ApiPropertyOptional({ description: "events after this stream version" })
  @IsOptional()
  @DecimalInt()
  @IsInt()
  @Min(0)
  @Max(2 ** 31 - 1)
  after?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @DecimalInt()
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

/** Why an operator forces a device's install now (issue 20); recorded with the event. */
export class InstallNowRequest extends DecommissionDeviceRequest {}

export class ApproveDeviceRequest {
  @ApiPropertyOptional({
    pattern: KEY_FINGERPRINT.source,
    description:
      "approve only this key: the device's `keyFingerprint` as shown by the API (409 when the device is pending with another key)",
  })
  @IsOptional()
  @Matches(KEY_FINGERPRINT, { message: "keyFingerprint must be 16 lowercase hex digits" })
  keyFingerprint?: string;
}

export class RekeyDeviceRequest {
  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
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
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description:
      "the device's public nkey (U…): enrolled with, or presented after a re-key; null while a re-keyed device has not said hello",
  })
  publicKey?: string | null;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description:
      "first 16 hex digits of SHA-256 over the public key's text (`printf %s U… | sha256sum | cut -c1-16`)",
  })
  keyFingerprint?: string | null;
  @ApiProperty({
    type: "object",
    additionalProperties: true,
    description:
      "bytes downloaded: `last` apply {revision, needed, fetched, delta, resumed} and `total` over all applies",
  })
  transfer!: unknown;
  @ApiProperty({ enum: ["target", "bundle"], nullable: true, type: String })
  installedVia!: "target" | "bundle" | null;
  @ApiProperty({ description: "runs another revision than its target, no update under way" })
  drifted!: boolean;
  @ApiPropertyOptional({
    type: DeviceMetricsResponse,
    description: "GET /v1/devices/:id only (not lists, not ?at=): the latest metrics and their age",
  })
  metrics?: DeviceMetricsResponse;
  @ApiProperty() version!: number;
  @ApiProperty() updatedAt!: string;
}

export class DevicePageResponse {
  @ApiProperty({ type: [DeviceResponse] }) items!: DeviceResponse[];
  @ApiProperty({ type: String, nullable: true }) next!: string | null;
}

export class DeviceSummaryQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) fleet?: string;
}

class RevisionCount {
  @ApiProperty({ type: String, nullable: true }) fleet!: string | null;
  @ApiProperty({ type: Number, nullable: true, description: "null: no revision reported yet" })
  number!: number | null;
  @ApiProperty() count!: number;
}

class StatusCount {
  @ApiProperty({ type: String, nullable: true }) status!: string | null;
  @ApiProperty() count!: number;
}

export class DeviceSummaryResponse {
  @ApiProperty() total!: number;
  @ApiProperty() online!: number;
  @ApiProperty() offline!: number;
  @ApiProperty({
    description: "devices running another revision than their target, no update under way",
  })
  drifted!: number;
  @ApiProperty({ type: [RevisionCount] }) byRevision!: RevisionCount[];
  @ApiProperty({ type: [StatusCount] }) byStatus!: StatusCount[];
}
