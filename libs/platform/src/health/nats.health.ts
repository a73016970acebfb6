import type { NatsConnection } from "@nats-io/transport-node";
import { Inject, Injectable, type OnModuleInit } from "@nestjs/common";
import { HealthIndicatorService } from "@nestjs/terminus";
import { NATS_CONNECTION } from "../tokens.js";

/** Up when the connection is open, not between servers, and a flush round trip succeeds. */
@Injectable()
export class NatsHealthIndicator implements OnModuleInit {
  private disconnected = false;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly health: HealthIndicatorService,
  ) {}

  onModuleInit(): void {
    void this.watchStatus();
  }

  private async watchStatus(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === "disconnect") this.disconnected = true;
      if (status.type === "reconnect") this.disconnected = false;
    }
  }

  async isHealthy(key = "nats", timeoutMs = 2_000) {
    const session = this.health.check(key);
    if (this.nc.isClosed()) return session.down({ message: "connection closed" });
    if (this.nc.isDraining()) return session.down({ message: "connection draining" });
    if (this.disconnected) return session.down({ message: "disconnected, reconnecting" });
    return session
      .attempt(async () => {
        await this.nc.flush();
        return { server: this.nc.getServer() };
      })
      .withTimeout(timeoutMs);
  }
}
