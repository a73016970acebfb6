import { ApiProperty } from "@nestjs/swagger";
import { ArrayMaxSize, IsArray, Matches } from "class-validator";

export const SHA256 = /^[0-9a-f]{64}$/;

export class ObjectIdParams {
  @ApiProperty({
    description: "lowercase hex sha256 of the object's content",
    pattern: SHA256.source,
  })
  @Matches(SHA256, { message: "sha256 must be 64 lowercase hex characters" })
  sha256!: string;
}

export class MissingObjectsRequest {
  @ApiProperty({ type: [String], description: "object ids the client means to upload" })
  @IsArray()
  @ArrayMaxSize(100_000)
  @Matches(SHA256, { each: true, message: "each sha must be 64 lowercase hex characters" })
  shas!: string[];
}

export class MissingObjectsResponse {
  @ApiProperty({ type: [String], description: "the ones this server does not hold" })
  missing!: string[];
}

export class ObjectStoredResponse {
  @ApiProperty() sha256!: string;
  @ApiProperty() size!: number;
  @ApiProperty({ description: "false when the object was already present" }) created!: boolean;
}

export class ObjectStatsResponse {
  @ApiProperty() uploadedBytes!: number;
  @ApiProperty() storedObjects!: number;
  @ApiProperty() duplicateUploads!: number;
  @ApiProperty() refusedUploads!: number;
  @ApiProperty() servedBytes!: number;
}
