import { Body, Controller, HttpCode, Inject, Param, Post } from "@nestjs/common";
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from "@nestjs/swagger";
import {
  DeviceEvents,
  deviceStreamId,
  handleCommand,
  isEvent,
  PostgresEventStore,
} from "@statecast/events";
import { IsOptional, IsString, MaxLength } from "class-validator";
import { Command, type CommandContext, metadataOf } from "../auth/command-context.js";
import { Roles } from "../auth/roles.decorator.js";
import { DeviceIdParams } from "../devices/device.dto.js";
import { decideRevoke, evolveCredentials, noDevice } from "./revoke-credentials.js";

export class RevokeCredentialsRequest {
  @ApiPropertyOptional({ maxLength: 1024 })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  reason?: string;
}

export class RevokedCredentialsResponse {
  @ApiProperty() deviceId!: string;
  @ApiProperty({ description: "The device's user public nkey whose JWTs no longer work" })
  publicKey!: string;
  @ApiProperty() version!: number;
}

@ApiTags("devices")
@Controller("v1/devices")
export class DevicePlaneController {
  constructor(@Inject(PostgresEventStore) private readonly store: PostgresEventStore) {}

  @Post(":id/revoke")
  @HttpCode(200)
  @Roles("operator")
  @ApiOperation({
    summary: "Revoke the device's credentials (DeviceCredentialsRevoked); the gateway cuts it off",
  })
  @ApiOkResponse({ type: RevokedCredentialsResponse })
  async revoke(
    @Param() { id }: DeviceIdParams,
    @Body() body: RevokeCredentialsRequest,
    @Command() ctx: CommandContext,
  ): Promise<RevokedCredentialsResponse> {
    const reason = body.reason ?? "revoked by an operator";
    const outcome = await handleCommand(
      this.store,
      deviceStreamId(id),
      (state) => decideRevoke(id, reason, state).map((e) => ({ ...e, metadata: metadataOf(ctx) })),
      evolveCredentials,
      noDevice,
    );
    const [revoked] = outcome.events;
    if (!revoked || !isEvent(revoked, DeviceEvents.DeviceCredentialsRevoked)) {
      throw new Error(`revoking device ${id} appended no DeviceCredentialsRevoked`);
    }
    return { deviceId: id, publicKey: revoked.data.publicKey, version: outcome.version };
  }
}
