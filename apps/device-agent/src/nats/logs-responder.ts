import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { deviceInboxPrefix } from "@statecast/nats-auth";
import type { Logger } from "../log.js";
import type { DeviceLogs, LogsQuery } from "../logs/device-logs.js";

/** Text per chunk, well below the server's 1 MB payload limit. */
const CHUNK_CHARS = 32 * 1024;
const TRIM_EVERY_MS = 30_000;

export const logsRequestSubject = (deviceId: string) => `${deviceInboxPrefix(deviceId)}.logs`;
export const logsChunkSubject = (deviceId: string) => `sc.dev.${deviceId}.logs`;

/**
 * Answers logs requests (`sc.inbox.<id>.logs`, `{requestId, part?, since?, maxBytes?}`) with
 * chunks on `sc.dev.<id>.logs` (`{requestId, deviceId, part, seq, data, done}`), the only log
 * subject its credentials let it publish. Log bytes travel on core NATS, never as events.
 */
export class LogsResponder {
  private sub: Subscription | undefined;
  private trimmer: NodeJS.Timeout | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly deviceId: string,
    private readonly logs: DeviceLogs,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.sub = this.nc.subscribe(logsRequestSubject(this.deviceId), {
      callback: (error, msg) => {
        if (error) return;
        void this.answer(msg.string());
      },
    });
    void this.logs.trim();
    this.trimmer = setInterval(() => void this.logs.trim(), TRIM_EVERY_MS);
    this.trimmer.unref();
  }

  private async answer(body: string): Promise<void> {
    let request: LogsQuery & { requestId: string };
    try {
      request = JSON.parse(body) as typeof request;
      if (typeof request.requestId !== "string" || request.requestId.length > 128)
        throw new Error();
    } catch {
      this.log.warn("logs request is not {requestId, part?, since?}; ignored");
      return;
    }
    const { requestId } = request;
    const query: LogsQuery = {
      ...(typeof request.part === "string" ? { part: request.part } : {}),
      ...(typeof request.since === "string" ? { since: request.since } : {}),
      ...(typeof request.maxBytes === "number" ? { maxBytes: request.maxBytes } : {}),
    };
    const { part, text } = await this.logs.read(query);
    const chunks = text.length === 0 ? [""] : [];
    for (let at = 0; at < text.length; at += CHUNK_CHARS)
      chunks.push(text.slice(at, at + CHUNK_CHARS));
    chunks.forEach((data, seq) => {
      const done = seq === chunks.length - 1;
      const chunk = { requestId, deviceId: this.deviceId, part, seq, data, done };
      this.nc.publish(logsChunkSubject(this.deviceId), JSON.stringify(chunk));
    });
  }

  stop(): void {
    clearInterval(this.trimmer);
    this.sub?.unsubscribe();
  }
}
