import { ApiPropertyOptional } from "@nestjs/swagger";
import { Transform } from "class-transformer";
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from "class-validator";
import { DecimalInt } from "../openapi/decimal-int.js";

const splitTypes = ({ value }: { value: unknown }) => {
  const list = Array.isArray(value) ? value : [value];
  return list
    .flatMap((v) => String(v).split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
};

/** Filters shared by the page, export and live-tail routes; every one is optional and ANDed. */
export class EventFilterQuery {
  @ApiPropertyOptional({ description: "exact stream id, e.g. device:d1" })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  stream?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) device?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) rollout?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(128) fleet?: string;

  @ApiPropertyOptional({ description: "event type(s): repeat or comma-separate", type: [String] })
  @IsOptional()
  @Transform(splitTypes)
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(/^[A-Z][A-Za-z0-9]{0,99}$/, {
    each: true,
    message: "each type must be a PascalCase event type",
  })
  type?: string[];

  @ApiPropertyOptional({ example: "operator:ann" })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  actor?: string;

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(256) correlationId?: string;

  @ApiPropertyOptional({
    description:
      "recorded at or after (ISO-8601, to the millisecond: from the start of that millisecond)",
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: "from must be an ISO-8601 instant" })
  from?: string;

  @ApiPropertyOptional({
    description:
      "recorded before (ISO-8601, to the millisecond: before the start of that millisecond)",
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: "to must be an ISO-8601 instant" })
  to?: string;

  @ApiPropertyOptional({ description: "opaque cursor from a previous page (`next` or `resume`)" })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  cursor?: string;
}

export class EventPageQuery extends EventFilterQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @DecimalInt()
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ enum: ["json", "ndjson", "csv"], default: "json" })
  @IsOptional()
  @IsIn(["json", "ndjson", "csv"])
  format?: "json" | "ndjson" | "csv";
}
