import { Body, Controller, HttpCode, Inject, Param, Post } from "@nestjs/common";
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from "@nestjs/swagger";
import {
  type DeviceIdParams,
  deviceIdParams,
  type RevokeCredentialsRequest,
  type RevokedCredentials,
  revokeCredentialsRequest,
  revokedCredentials,
} from "@statecast/contract/http";
import { evolveDevice, initialDevice } from "@statecast/device-domain";
import {
  DeviceEvents,
  deviceStreamId,
  handleCommand,
  isEvent,
  PostgresEventStore,
} from "@statecast/events";
import { Command, type CommandContext, metadataOf } from "../auth/command-context.js";
import { Roles } from "../auth/roles.decorator.js";
import { ApiPathParams, openApiSchema, ZodPipe } from "../openapi/zod-contract.js";
import { decideRevoke } from "./revoke-credentials.js";

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
  @ApiPathParams(deviceIdParams)
  @ApiBody({ schema: openApiSchema(revokeCredentialsRequest) })
  @ApiOkResponse({ schema: openApiSchema(revokedCredentials) })
  async revoke(
    @Param(new ZodPipe(deviceIdParams)) { id }: DeviceIdParams,
    @Body(new ZodPipe(revokeCredentialsRequest)) body: RevokeCredentialsRequest,
    @Command() ctx: CommandContext,
  ): Promise<RevokedCredentials> {
    const reason = body.reason ?? "revoked by an operator";
    const outcome = await handleCommand(
      this.store,
      deviceStreamId(id),
      (state) => decideRevoke(id, reason, state).map((e) => ({ ...e, metadata: metadataOf(ctx) })),
      evolveDevice,
      () => initialDevice(id),
    );
    const [revoked] = outcome.events;
    if (!revoked || !isEvent(revoked, DeviceEvents.DeviceCredentialsRevoked)) {
      throw new Error(`revoking device ${id} appended no DeviceCredentialsRevoked`);
    }
    return { deviceId: id, publicKey: revoked.data.publicKey, version: outcome.version };
  }
}
