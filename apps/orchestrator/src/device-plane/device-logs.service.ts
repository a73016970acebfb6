import { randomUUID } from "node:crypto";
import type { NatsConnection } from "@nats-io/transport-node";
import { Inject, Injectable } from "@nestjs/common";
import type { DeviceLogs } from "@statecast/contract/http";
import {
  deviceStreamId,
  handleCommand,
  IllegalStateError,
  NotFoundError,
  PostgresEventStore,
  UnprocessableError,
} from "@statecast/events";
import { deviceInboxPrefix } from "@statecast/nats-auth";
import { NATS_CONNECTION } from "@statecast/platform";
import { type CommandContext, metadataOf } from "../auth/command-context.js";
import { type DeviceRecord, evolveDevice } from "../devices/device-record.js";

/** What a device's logs are answered as (`GET /v1/devices/:id/logs`, its contract). */
export type { DeviceLogs };

/** How long a device has to answer (it may be offline: then the answer is a clear error). */
export const LOGS_TIMEOUT_MS = 10_000;

/**
 * Asks a device for its logs: the request is an event (`DeviceLogsRequested`: actor, device,
 * part), then goes to the device's inbox (`sc.inbox.<id>.logs`); the chunks come back on
 * `sc.dev.<id>.logs`, which only that device may publish. Log bytes are never events.
 */
@Injectable()
export class DeviceLogsService {
  constructor(
    @Inject(PostgresEventStore) private readonly store: PostgresEventStore,
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
  ) {}

  async fetch(
    deviceId: string,
    query: { part?: string; since?: string },
    ctx: CommandContext,
  ): Promise<DeviceLogs> {
    const { requestId, part } = await this.record(deviceId, query, ctx);
    const text = await this.ask(deviceId, requestId, part, query.since);
    return { deviceId, part, requestId, text };
  }

  /** Records the asking (`DeviceLogsRequested`), one event per request, follow or not. */
  async record(
    deviceId: string,
    query: { part?: string; since?: string },
    ctx: CommandContext,
  ): Promise<{ requestId: string; part: string }> {
    const requestId = randomUUID();
    const part = query.part ?? "agent";
    await handleCommand<DeviceRecord | undefined>(
      this.store,
      deviceStreamId(deviceId),
      (device) => {
        if (!device) throw new NotFoundError(`device ${deviceId} not found`);
        if (device.approval === "decommissioned")
          throw new IllegalStateError(`device ${deviceId} is decommissioned`);
        const data = { requestId, part, ...(query.since ? { since: query.since } : {}) };
        return [{ type: "DeviceLogsRequested", data, metadata: metadataOf(ctx) }];
      },
      evolveDevice,
      () => undefined,
    );
    return { requestId, part };
  }

  private ask(deviceId: string, requestId: string, part: string, since?: string): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const chunks = new Map<number, string>();
      const sub = this.nats.subscribe(`sc.dev.${deviceId}.logs`, {
        callback: (error, msg) => {
          if (error) return;
          let chunk: { requestId?: string; seq?: number; data?: string; done?: boolean };
          try {
            chunk = msg.json();
          } catch {
            return;
          }
          if (chunk.requestId !== requestId || typeof chunk.seq !== "number") return;
          chunks.set(chunk.seq, typeof chunk.data === "string" ? chunk.data : "");
          if (chunk.done && chunks.size === chunk.seq + 1) finish();
        },
      });
      const timer = setTimeout(() => {
        sub.unsubscribe();
        reject(
          new UnprocessableError(
            `device ${deviceId} did not answer within ${LOGS_TIMEOUT_MS / 1000} s (offline?)`,
          ),
        );
      }, LOGS_TIMEOUT_MS);
      const finish = () => {
        clearTimeout(timer);
        sub.unsubscribe();
        resolve(
          [...chunks.entries()]
            .sort(([a], [b]) => a - b)
            .map(([, d]) => d)
            .join(""),
        );
      };
      void this.nats.flush().then(() => {
        const request = { requestId, part, ...(since ? { since } : {}) };
        this.nats.publish(`${deviceInboxPrefix(deviceId)}.logs`, JSON.stringify(request));
      });
    });
  }
}
