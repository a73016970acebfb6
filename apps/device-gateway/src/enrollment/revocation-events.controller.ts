import { Controller, Inject } from "@nestjs/common";
import { Payload } from "@nestjs/microservices";
import type { RecordedEvent } from "@statecast/events";
import { OnStreamEvent } from "@statecast/platform";
import { CREDENTIAL_REVOKER } from "./credential-revoker.js";
import { ENROLLMENT, type Enrollment } from "./enrollment.tokens.js";

/** `DeviceCredentialsRevoked` from SC_EVENTS to the revoker (consumed only with enrollment on). */
@Controller()
export class RevocationEventsController {
  constructor(@Inject(ENROLLMENT) private readonly enrollment: Enrollment | null) {}

  @OnStreamEvent(CREDENTIAL_REVOKER, "DeviceCredentialsRevoked")
  async revoked(@Payload() event: RecordedEvent): Promise<void> {
    if (!this.enrollment) throw new Error("credential revocation is disabled on this gateway");
    await this.enrollment.revoker.revoke(event);
  }
}
