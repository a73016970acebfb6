import { ApiProperty, ApiPropertyOptional } from "@nestjs/swagger";
import { Type } from "class-transformer";
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  ValidateNested,
} from "class-validator";

/** Shapes only: names, cron and zones are checked (and named) by the contract's window check. */
export class MaintenanceWindowDto {
  @ApiProperty({ example: "nightly" }) @IsString() @MaxLength(64) name!: string;
  @ApiProperty({ example: "0 2 * * *", description: "five fields, read in timeZone" })
  @IsString()
  @MaxLength(120)
  cron!: string;
  @ApiProperty({ example: 120 }) @IsInt() durationMinutes!: number;
  @ApiProperty({ example: "Europe/Berlin", description: "IANA time zone" })
  @IsString()
  @MaxLength(64)
  timeZone!: string;
  @ApiPropertyOptional({
    type: [String],
    description: "only devices with every tag (`key` or `key=value`); absent: the whole fleet",
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(16)
  @IsString({ each: true })
  @MaxLength(256, { each: true })
  tags?: string[];
}

export class MaintenancePolicyDto {
  @ApiProperty({ type: [MaintenanceWindowDto] })
  @IsArray()
  @ArrayMaxSize(16)
  @ValidateNested({ each: true })
  @Type(() => MaintenanceWindowDto)
  windows!: MaintenanceWindowDto[];

  @ApiPropertyOptional({ description: "devices ask their apps' consent before installing" })
  @IsOptional()
  @IsBoolean()
  consent?: boolean;

  @ApiPropertyOptional({ description: "an update lock held longer than this is reported" })
  @IsOptional()
  @IsInt()
  @Min(1)
  lockLimitSeconds?: number;
}

export class MaintenancePolicyResponse extends MaintenancePolicyDto {
  @ApiProperty() fleet!: string;
  @ApiProperty({ description: "0 while the fleet has no windows (install any time)" })
  version!: number;
}
