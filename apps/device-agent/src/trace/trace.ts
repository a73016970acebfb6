import {
  type Attributes,
  type Context,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { contextFromTraceparent, traceparentOf } from "@statecast/contract";

/**
 * The agent's tracing: only `@opentelemetry/api`, no SDK. On a board nothing registers a tracer
 * provider, so spans record nothing and the target's trace context is passed on unchanged in
 * the reports; a process that registers one (a test, an embedding host) records every step.
 */
export { traceparentOf };

/** One apply's trace: a root span continuing the target's `traceparent`, and a span per step. */
export class ApplyTrace {
  readonly span: Span;
  private readonly context: Context;

  constructor(targetTraceparent: unknown, attributes: Attributes) {
    const parent = contextFromTraceparent(targetTraceparent);
    this.span = trace
      .getTracer("device-agent")
      .startSpan("agent.apply", { kind: SpanKind.CONSUMER, attributes }, parent);
    this.context = trace.setSpan(parent, this.span);
  }

  /** What the apply's reports carry, so the gateway's ingestion continues this trace. */
  get traceparent(): string | undefined {
    return traceparentOf(this.span);
  }

  async step<T>(name: string, attributes: Attributes, work: () => Promise<T>): Promise<T> {
    const span = trace.getTracer("device-agent").startSpan(name, { attributes }, this.context);
    try {
      return await work();
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  }

  end(status: string, reason?: string): void {
    this.span.setAttribute("statecast.status", status);
    if (reason) this.span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
    this.span.end();
  }
}
