import { ApiProperty } from "@nestjs/swagger";
import { FLEET_NAME, FLEET_NAME_MESSAGE } from "@statecast/events";
import { Type } from "class-transformer";
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from "class-validator";

export const FLEET = FLEET_NAME;
export const FLEET_MESSAGE = FLEET_NAME_MESSAGE;

export class FleetParams {
  @ApiProperty({ pattern: FLEET.source })
  @Matches(FLEET, { message: FLEET_MESSAGE })
  fleet!: string;
}

export class TrustedSignerDto {
  @ApiProperty({ example: "release-key" })
  @IsString()
  @Matches(/^\S.{0,127}$/, { message: "name must be 1-128 characters" })
  name!: string;

  @ApiProperty({ description: "PEM public key(s) or CA certificate(s)" })
  @IsString()
  @MaxLength(65_536)
  pem!: string;

  @ApiProperty({ type: [String], example: ["**"], description: "state-key globs it may sign" })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(256)
  @IsString({ each: true })
  @MaxLength(512, { each: true })
  keys!: string[];
}

export class TrustPolicyDto {
  @ApiProperty({ enum: ["strict", "lenient"] })
  @IsIn(["strict", "lenient"])
  mode!: "strict" | "lenient";

  @ApiProperty({ type: [TrustedSignerDto] })
  @IsArray()
  @ArrayMaxSize(256)
  @ValidateNested({ each: true })
  @Type(() => TrustedSignerDto)
  trusted!: TrustedSignerDto[];
}

export class TrustPolicyResponse extends TrustPolicyDto {
  @ApiProperty() fleet!: string;
  @ApiProperty({ description: "0 while the fleet has the default policy (strict, nobody)" })
  version!: number;
}
