import type { NatsConnection } from "@nats-io/transport-node";
import { Inject, Injectable, Optional } from "@nestjs/common";
import { IllegalStateError, UnprocessableError } from "@statecast/events";
import { Metrics, NATS_CONNECTION, SERVICE_CONFIG } from "@statecast/platform";
import type { CommandContext } from "../auth/command-context.js";
import type { OrchestratorConfig } from "../config/orchestrator.config.js";
import { DeviceLogsService, LOGS_TIMEOUT_MS } from "./device-logs.service.js";
import { LogFollow } from "./log-follow.js";

/**
 * Live follows of device logs (`GET /v1/devices/:id/logs?follow=true`, SSE): at most
 * `logsFollowMaxPerToken` open per API token and none longer than `logsFollowMaxMs`. Each
 * follow is one `DeviceLogsRequested` event, however many lines it carries.
 */
@Injectable()
export class DeviceLogFollows {
  private readonly byToken = new Map<string, number>();
  private open = 0;

  constructor(
    @Inject(DeviceLogsService) private readonly logs: DeviceLogsService,
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
    @Inject(SERVICE_CONFIG) private readonly config: OrchestratorConfig,
    @Optional() @Inject(Metrics) metrics?: Metrics,
  ) {
    metrics?.onScrape(
      "statecast_device_log_follows",
      "Device log follows open (SSE), each holding one NATS subscription.",
      "gauge",
      () => [{ value: this.open }],
    );
  }

  get openFollows(): number {
    return this.open;
  }

  /** Checks the token's bound, records the asking, then subscribes and asks the device. */
  async follow(
    deviceId: string,
    query: { part?: string; since?: string },
    ctx: CommandContext,
    tokenId: string,
  ): Promise<LogFollow> {
    const max = this.config.logsFollowMaxPerToken ?? 4;
    const held = this.byToken.get(tokenId) ?? 0;
    if (held >= max)
      throw new IllegalStateError(
        `this token already follows ${held} device logs (at most ${max}); close one first`,
      );
    this.byToken.set(tokenId, held + 1);
    let follow: LogFollow | undefined;
    try {
      const { requestId, part } = await this.logs.record(deviceId, query, ctx);
      const maxMs = this.config.logsFollowMaxMs ?? 3_600_000;
      const answerTimeoutMs = Math.min(LOGS_TIMEOUT_MS, maxMs);
      const options = {
        deviceId,
        requestId,
        part,
        ...(query.since ? { since: query.since } : {}),
        maxMs,
        answerTimeoutMs,
      };
      follow = new LogFollow(this.nats, options, () => {
        this.open--;
        this.release(tokenId);
      });
      this.open++;
      await follow.start();
      // Before any header goes out, so an offline device is a clear 422 as without follow.
      if (!(await follow.answered))
        throw new UnprocessableError(
          `device ${deviceId} did not answer within ${answerTimeoutMs / 1000} s (offline?)`,
        );
      return follow;
    } catch (error) {
      if (follow) follow.close();
      else this.release(tokenId);
      throw error;
    }
  }

  private release(tokenId: string): void {
    const held = (this.byToken.get(tokenId) ?? 1) - 1;
    if (held <= 0) this.byToken.delete(tokenId);
    else this.byToken.set(tokenId, held);
  }
}
