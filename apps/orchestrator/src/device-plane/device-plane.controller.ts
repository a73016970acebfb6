import type { NatsConnection } from "@nats-io/transport-node";
import { Body, Controller, HttpCode, Inject, Logger, Param, Post } from "@nestjs/common";
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from "@nestjs/swagger";
import { GATEWAY_REVOKE_SUBJECT } from "@statecast/contract";
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
import { NATS_CONNECTION, requestService } from "@statecast/platform";
import { Command, type CommandContext, metadataOf } from "../auth/command-context.js";
import { Roles } from "../auth/roles.decorator.js";
import { ApiPathParams, openApiSchema, ZodPipe } from "../openapi/zod-contract.js";
import { decideRevoke } from "./revoke-credentials.js";

/** How long an operator's revoke waits for a gateway to cut the device off. */
const REVOKE_PUSH_TIMEOUT_MS = 5_000;

@ApiTags("devices")
@Controller("v1/devices")
export class DevicePlaneController {
  private readonly logger = new Logger("DevicePlane");

  constructor(
    @Inject(PostgresEventStore) private readonly store: PostgresEventStore,
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
  ) {}

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
    await this.pushRevocation(revoked.data.publicKey, new Date(revoked.metadata.now));
    return { deviceId: id, publicKey: revoked.data.publicKey, version: outcome.version };
  }

  /**
   * Asks a gateway to cut the device off now (request/reply, one replica answers). Best effort:
   * the event reaches every gateway over SC_EVENTS anyway, so a time-out is only logged.
   */
  private async pushRevocation(publicKey: string, at: Date): Promise<void> {
    const body = { publicKey, revokedAt: at.toISOString() };
    await requestService(this.nats, GATEWAY_REVOKE_SUBJECT, body, {
      timeoutMs: REVOKE_PUSH_TIMEOUT_MS,
    }).catch((error: Error) =>
      this.logger.warn(
        `revocation of ${publicKey} not pushed now (SC_EVENTS will): ${error.message}`,
      ),
    );
  }
}
