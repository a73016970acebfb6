import { ApiProperty, ApiPropertyOptional } from "@nestjs/swagger";
import {
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from "class-validator";
import { DecimalInt } from "../openapi/decimal-int.js";
import { FLEET, FLEET_MESSAGE } from "../trust/trust-policy.dto.js";

export class EnrollmentTokenParams {
  @ApiProperty({ pattern: FLEET.source })
  @Matches(FLEET, { message: FLEET_MESSAGE })
  fleet!: string;

  @ApiProperty({ format: "uuid" })
  @IsUUID("all", { message: "tokenId must be a UUID" })
  tokenId!: string;
}

export class CreateEnrollmentTokenRequest {
  @ApiPropertyOptional({
    description: "ISO-8601 instant after which the token enrolls nothing (default: never)",
    example: "2026-12-31T00:00:00Z",
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: "expiresAt must be an ISO-8601 instant" })
  expiresAt?: string;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 1_000_000,
    description: "how many devices it may enroll (default: unlimited)",
  })
  @IsOptional()
  @DecimalInt()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  maxUses?: number;

  @ApiPropertyOptional({
    type: "object",
    additionalProperties: { type: "string" },
    example: { ring: "canary" },
    description: "tags given to every device enrolled with the token (at most 64)",
  })
  @IsOptional()
  @IsObject()
  tags?: Record<string, string>;
}

export class RevokeEnrollmentTokenQuery {
  @ApiPropertyOptional({ maxLength: 1024 })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  reason?: string;
}
