import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { deviceInboxPrefix } from "@statecast/nats-auth";

/** What a follow yields: text as the device sends it, then once why it ended. */
export type FollowFrame = { text: string } | { ended: string };

/** Chunks held waiting (out of order from the device, or unread by the client). */
const MAX_PENDING = 256;

/** The device renews its follow's lease this often (it ends one silent for 45 s). */
export const RENEW_EVERY_MS = 15_000;

export interface LogFollowOptions {
  deviceId: string;
  requestId: string;
  part: string;
  since?: string;
  /** The follow ends (and the device is told to stop) after this long. */
  maxMs: number;
  /** No chunk from the device in this time: it is offline or not answering. */
  answerTimeoutMs: number;
}

/**
 * One live follow of a device's log over NATS: subscribes to the device's chunks
 * (`sc.dev.<id>.logs`, only that device may publish there) before asking on its inbox, renews
 * the device's lease while open, and on `close()` unsubscribes, clears its timers and tells the
 * device to stop. Frames come out in the device's order (`seq`).
 */
export class LogFollow implements AsyncIterable<FollowFrame> {
  private readonly sub: Subscription;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly frames: FollowFrame[] = [];
  private readonly early = new Map<number, { data: string; done: boolean; ended?: string }>();
  private wake: (() => void) | undefined;
  private nextSeq = 0;
  private closed = false;
  private silence: NodeJS.Timeout | undefined;
  private answer: ((answered: boolean) => void) | undefined;
  /** True once the device sent its first chunk; false if the follow ended before that. */
  readonly answered = new Promise<boolean>((resolve) => (this.answer = resolve));

  constructor(
    private readonly nats: NatsConnection,
    private readonly options: LogFollowOptions,
    /** Called once, when the follow is released (whoever ended it). */
    private readonly onClose: () => void = () => undefined,
  ) {
    this.sub = nats.subscribe(`sc.dev.${options.deviceId}.logs`, {
      callback: (error, msg) => {
        if (error) return;
        let chunk: {
          requestId?: unknown;
          seq?: unknown;
          data?: unknown;
          done?: unknown;
          ended?: unknown;
        };
        try {
          chunk = msg.json();
        } catch {
          return;
        }
        if (chunk.requestId !== options.requestId || typeof chunk.seq !== "number") return;
        // Out-of-order chunks wait for the gap, within a bound (the device sends them in order).
        if (chunk.seq < this.nextSeq || chunk.seq > this.nextSeq + MAX_PENDING) return;
        this.early.set(chunk.seq, {
          data: typeof chunk.data === "string" ? chunk.data : "",
          done: chunk.done === true,
          ...(typeof chunk.ended === "string" ? { ended: chunk.ended.slice(0, 64) } : {}),
        });
        this.drain();
      },
    });
  }

  get requestId(): string {
    return this.options.requestId;
  }

  get part(): string {
    return this.options.part;
  }

  /** Sends the request (after the subscription is in place) and arms the timers. */
  async start(): Promise<void> {
    await this.nats.flush();
    const { requestId, part, since, maxMs } = this.options;
    this.ask({
      requestId,
      part,
      ...(since ? { since } : {}),
      follow: true,
      followSeconds: Math.ceil(maxMs / 1000),
    });
    const renew = setInterval(() => this.ask({ requestId, control: "renew" }), RENEW_EVERY_MS);
    const deadline = setTimeout(() => this.end("expired"), maxMs);
    this.silence = setTimeout(() => this.end("device_not_answering"), this.options.answerTimeoutMs);
    this.timers.push(renew, deadline, this.silence);
    for (const timer of this.timers) timer.unref();
  }

  private ask(request: Record<string, unknown>): void {
    if (this.nats.isClosed()) return;
    this.nats.publish(`${deviceInboxPrefix(this.options.deviceId)}.logs`, JSON.stringify(request));
  }

  /** Moves chunks that arrived in order into frames. */
  private drain(): void {
    for (let chunk = this.early.get(this.nextSeq); chunk; chunk = this.early.get(this.nextSeq)) {
      this.early.delete(this.nextSeq++);
      if (this.nextSeq === 1) {
        clearTimeout(this.silence);
        this.answer?.(true);
      }
      if (chunk.data) this.push({ text: chunk.data });
      // A device of the release before answers one snapshot, `done` without `ended`.
      if (chunk.done) {
        this.end(chunk.ended ?? "device_does_not_follow", false);
        return;
      }
    }
  }

  private push(frame: FollowFrame): void {
    // A client that reads slower than the device writes is let go, not buffered for.
    if (this.frames.length >= MAX_PENDING && "text" in frame) {
      this.end("client_too_slow");
      return;
    }
    this.frames.push(frame);
    this.wake?.();
  }

  private end(why: string, tellDevice = true): void {
    if (this.closed) return;
    this.push({ ended: why });
    this.close(tellDevice);
  }

  /** Releases everything; idempotent. The device is told to stop unless it ended the follow. */
  close(tellDevice = true): void {
    if (this.closed) return;
    this.closed = true;
    this.answer?.(false);
    for (const timer of this.timers) clearInterval(timer);
    this.sub.unsubscribe();
    if (tellDevice) this.ask({ requestId: this.options.requestId, control: "stop" });
    this.wake?.();
    this.onClose();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<FollowFrame> {
    for (;;) {
      const frame = this.frames.shift();
      if (frame) {
        yield frame;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}
