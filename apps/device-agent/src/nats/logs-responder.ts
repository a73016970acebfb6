import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { deviceInboxPrefix } from "@statecast/nats-auth";
import type { Logger } from "../log.js";
import type { DeviceLogs, LogsQuery } from "../logs/device-logs.js";
import { type FollowEnd, LogFollows } from "./log-follows.js";

/** Text per chunk, well below the server's 1 MB payload limit. */
const CHUNK_CHARS = 32 * 1024;
const TRIM_EVERY_MS = 30_000;

export const logsRequestSubject = (deviceId: string) => `${deviceInboxPrefix(deviceId)}.logs`;
export const logsChunkSubject = (deviceId: string) => `sc.dev.${deviceId}.logs`;

type LogsRequest = LogsQuery & {
  requestId: string;
  /** Agents since issue 14: after the snapshot, send what is appended, for `followSeconds`. */
  follow?: boolean;
  followSeconds?: number;
  /** Agents since issue 14: about a follow under way (`renew` its lease, or `stop` it). */
  control?: "renew" | "stop";
};

/**
 * Answers logs requests (`sc.inbox.<id>.logs`, `{requestId, part?, since?, maxBytes?}`) with
 * chunks on `sc.dev.<id>.logs` (`{requestId, deviceId, part, seq, data, done}`), the only log
 * subject its credentials let it publish. Log bytes travel on core NATS, never as events.
 *
 * A request with `follow: true` gets the snapshot with `done: false`, then chunks of what is
 * appended, until the asker sends `{requestId, control: "stop"}`, stops sending `renew`, or
 * `followSeconds` pass; the last chunk has `done: true` and `ended` (why). An agent of the
 * release before answers the snapshot alone, `done: true` without `ended`.
 */
export class LogsResponder {
  private sub: Subscription | undefined;
  private trimmer: NodeJS.Timeout | undefined;
  private readonly seqs = new Map<string, { part: string; seq: number }>();
  readonly follows = new LogFollows(
    (requestId, text) => this.chunk(requestId, text, false),
    (requestId, why) => this.chunk(requestId, "", true, why),
  );

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
        void this.answer(msg.string()).catch((e: Error) =>
          this.log.warn("logs request not answered", { error: e.message }),
        );
      },
    });
    const trim = () =>
      void this.logs
        .trim()
        .catch((e: Error) => this.log.warn("logs not trimmed", { error: e.message }));
    trim();
    this.trimmer = setInterval(trim, TRIM_EVERY_MS);
    this.trimmer.unref();
  }

  private async answer(body: string): Promise<void> {
    let request: LogsRequest;
    try {
      request = JSON.parse(body) as LogsRequest;
      if (typeof request.requestId !== "string" || request.requestId.length > 128)
        throw new Error();
    } catch {
      this.log.warn("logs request is not {requestId, part?, since?}; ignored");
      return;
    }
    const { requestId } = request;
    if (request.control === "renew") return this.follows.renew(requestId);
    if (request.control === "stop") return this.follows.stop(requestId);
    const query: LogsQuery = {
      ...(typeof request.part === "string" ? { part: request.part } : {}),
      ...(typeof request.since === "string" ? { since: request.since } : {}),
      ...(typeof request.maxBytes === "number" ? { maxBytes: request.maxBytes } : {}),
    };
    const full = this.follows.full;
    // Followed from before the snapshot is read: a line written meanwhile may show twice, never
    // not at all.
    const follower = request.follow && !full ? await this.logs.follow(query.part) : undefined;
    const { part, text } = await this.logs.read(query);
    this.seqs.set(requestId, { part, seq: 0 });
    const chunks = text.length === 0 ? [""] : [];
    for (let at = 0; at < text.length; at += CHUNK_CHARS)
      chunks.push(text.slice(at, at + CHUNK_CHARS));
    const unfollowed: FollowEnd | undefined =
      request.follow && !follower ? (full ? "too_many_follows" : "no_such_log") : undefined;
    chunks.forEach((data, i) => {
      const last = i === chunks.length - 1;
      this.chunk(requestId, data, last && !follower, last ? unfollowed : undefined);
    });
    if (follower) {
      const seconds = typeof request.followSeconds === "number" ? request.followSeconds : 600;
      this.follows.start(requestId, follower, seconds);
    }
  }

  private chunk(requestId: string, data: string, done: boolean, ended?: FollowEnd): void {
    const state = this.seqs.get(requestId);
    if (!state) return;
    const chunk = {
      requestId,
      deviceId: this.deviceId,
      part: state.part,
      seq: state.seq++,
      data,
      done,
      ...(ended ? { ended } : {}),
    };
    if (done) this.seqs.delete(requestId);
    if (!this.nc.isClosed())
      this.nc.publish(logsChunkSubject(this.deviceId), JSON.stringify(chunk));
  }

  stop(): void {
    clearInterval(this.trimmer);
    this.follows.stopAll();
    this.sub?.unsubscribe();
  }
}
