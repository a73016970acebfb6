import { ApiProperty, ApiPropertyOptional } from "@nestjs/swagger";
import { FLEET_NAME, FLEET_NAME_MESSAGE } from "@statecast/events";
import {
  IsDefined,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from "class-validator";
import { DecimalInt } from "../openapi/decimal-int.js";

export class PostRevisionRequest {
  @ApiProperty({
    description:
      "the state: a JSON object, or its JSON text (text keeps number lexemes exactly, which signatures may depend on)",
    oneOf: [{ type: "object" }, { type: "string" }],
  })
  @IsDefined()
  state!: unknown;

  @ApiPropertyOptional({ maxLength: 4096 })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  message?: string;
}

export class RevisionParams {
  @ApiProperty({ pattern: FLEET_NAME.source })
  @Matches(FLEET_NAME, { message: FLEET_NAME_MESSAGE })
  fleet!: string;

  @ApiProperty({ minimum: 1 })
  @DecimalInt()
  @IsInt({ message: "revision number must be an integer" })
  @Min(1)
  @Max(2 ** 31 - 1)
  number!: number;
}

export class RevisionDiffParams {
  @ApiProperty({ pattern: FLEET_NAME.source })
  @Matches(FLEET_NAME, { message: FLEET_NAME_MESSAGE })
  fleet!: string;

  @ApiProperty({ minimum: 1 })
  @DecimalInt()
  @IsInt({ message: "revision a must be an integer" })
  @Min(1)
  @Max(2 ** 31 - 1)
  a!: number;

  @ApiProperty({ minimum: 1 })
  @DecimalInt()
  @IsInt({ message: "revision b must be an integer" })
  @Min(1)
  @Max(2 ** 31 - 1)
  b!: number;
}

export class RevisionListQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @DecimalInt()
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: "list revisions numbered above this one" })
  @IsOptional()
  @DecimalInt()
  @IsInt()
  @Min(0)
  @Max(2 ** 31 - 1)
  after?: number;
}

class SignatureReportDoc {
  @ApiProperty({ example: "_sigs/app.json" }) key!: string;
  @ApiProperty({ enum: ["valid", "invalid", "untrusted_key", "covers_nothing"] }) status!: string;
  @ApiPropertyOptional() reason?: string;
  @ApiPropertyOptional() alg?: string;
  @ApiProperty({ type: [String], description: "state keys the signature covers" })
  covers!: string[];
  @ApiPropertyOptional({ description: "the trusted signer that accepted it" }) trustedBy?: string;
}

export class SignaturesResponse {
  @ApiProperty({ description: "every signature valid and every key covered, as the policy asks" })
  ok!: boolean;
  @ApiProperty({ description: "the trust policy's mode" }) mode!: string;
  @ApiProperty({ type: [SignatureReportDoc] }) signatures!: SignatureReportDoc[];
  @ApiProperty({ type: [String], description: "keys no valid, trusted signature covers" })
  uncovered!: string[];
}
