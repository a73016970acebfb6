import { ApiProperty } from "@nestjs/swagger";
import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from "class-validator";
import { ROLES, type Role } from "./role.js";

export class CreateTokenRequest {
  @ApiProperty({ example: "ci-deployer", description: "becomes the actor operator:<name>" })
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
    message: "name must be 1-64 letters, digits, '.', '_' or '-'",
  })
  name!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;
}

export class RevokeTokenRequest {
  @ApiProperty({ required: false })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  reason?: string;
}

export class TokenIdParams {
  @ApiProperty({ format: "uuid" })
  @IsUUID("all", { message: "tokenId must be a UUID" })
  tokenId!: string;
}

export class TokenResponse {
  @ApiProperty() tokenId!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty() createdAt!: string;
  @ApiProperty() createdBy!: string;
  @ApiProperty({ type: String, nullable: true }) revokedAt!: string | null;
}

export class CreatedTokenResponse extends TokenResponse {
  @ApiProperty({ description: "the bearer secret; shown only in this response" })
  secret!: string;
}
