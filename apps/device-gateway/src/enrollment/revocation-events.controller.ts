import { Controller, Inject } from "@nestjs/common";
import { MessagePattern, Payload } from "@nestjs/microservices";
import { GATEWAY_REVOKE_SUBJECT } from "@statecast/contract";
import { IllegalStateError, type RecordedEvent, ValidationError } from "@statecast/events";
import { OnStreamEvent } from "@statecast/platform";
import { CREDENTIAL_REVOKER } from "./credential-revoker.js";
import { ENROLLMENT, type Enrollment } from "./enrollment.tokens.js";

const NKEY_USER = /^U[A-Z2-7]{55}$/;

/**
 * `DeviceCredentialsRevoked` from SC_EVENTS to the revoker (consumed only with enrollment on), and
 * the orchestrator's request to push a revocation now, so the device is cut off before the
 * operator's `POST /v1/devices/:id/revoke` is answered.
 */
@Controller()
export class RevocationEventsController {
  constructor(@Inject(ENROLLMENT) private readonly enrollment: Enrollment | null) {}

  @OnStreamEvent(CREDENTIAL_REVOKER, "DeviceCredentialsRevoked")
  async revoked(@Payload() event: RecordedEvent): Promise<void> {
    if (!this.enrollment) throw new Error("credential revocation is disabled on this gateway");
    await this.enrollment.revoker.revoke(event);
  }

  @MessagePattern(GATEWAY_REVOKE_SUBJECT)
  async push(@Payload() body: { publicKey?: unknown; revokedAt?: unknown }) {
    if (!this.enrollment)
      throw new IllegalStateError("credential revocation is disabled on this gateway");
    const at = typeof body.revokedAt === "string" ? new Date(body.revokedAt) : undefined;
    if (typeof body.publicKey !== "string" || !NKEY_USER.test(body.publicKey) || !at?.getTime())
      throw new ValidationError("expected {publicKey: a user nkey, revokedAt: an ISO instant}");
    return { revocations: await this.enrollment.revoker.revokeKey(body.publicKey, at) };
  }
}
