import {
  type Attributes,
  type Context,
  isSpanContextValid,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";

/**
 * The agent's tracing: only `@opentelemetry/api`, no SDK. On a board nothing registers a tracer
 * provider, so spans record nothing and the target's trace context is passed on unchanged in
 * the reports; a process that registers one (a test, an embedding host) records every step.
 */
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

function contextFromTraceparent(traceparent: unknown): Context {
  if (typeof traceparent !== "string" || !TRACEPARENT.test(traceparent)) return ROOT_CONTEXT;
  const [, traceId = "", spanId = "", flags = "00"] = traceparent.split("-");
  const spanContext = { traceId, spanId, traceFlags: Number.parseInt(flags, 16), isRemote: true };
  return isSpanContextValid(spanContext)
    ? trace.setSpanContext(ROOT_CONTEXT, spanContext)
    : ROOT_CONTEXT;
}

export function traceparentOf(span: Span): string | undefined {
  const sc = span.spanContext();
  if (!isSpanContextValid(sc)) return undefined;
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, "0")}`;
}

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
