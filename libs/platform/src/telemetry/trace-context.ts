import {
  type Attributes,
  type Context,
  isSpanContextValid,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  trace,
} from "@opentelemetry/api";

/** A W3C `traceparent` (version 00 layout); anything else is ignored, never trusted. */
export const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * The context a `traceparent` names (ROOT when absent or malformed). Parsed here rather than by
 * the global propagator so that it works the same whether or not telemetry was started.
 */
export function contextFromTraceparent(traceparent: string | undefined): Context {
  if (!traceparent || !TRACEPARENT.test(traceparent)) return ROOT_CONTEXT;
  const [, traceId = "", spanId = "", flags = "00"] = traceparent.split("-");
  const spanContext = { traceId, spanId, traceFlags: Number.parseInt(flags, 16), isRemote: true };
  return isSpanContextValid(spanContext)
    ? trace.setSpanContext(ROOT_CONTEXT, spanContext)
    : ROOT_CONTEXT;
}

/** The `traceparent` naming `span` as parent, or undefined when it belongs to no trace. */
export function traceparentOf(span: Span | undefined): string | undefined {
  const sc = span?.spanContext();
  if (!sc || !isSpanContextValid(sc)) return undefined;
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, "0")}`;
}

/**
 * A span continuing the trace of a message or event (its `traceparent`), with the `traceparent`
 * to pass on. Without a tracer provider the span records nothing and the received trace context
 * is passed on unchanged; without a received one, a recording provider starts a new trace.
 */
export function continueTrace(
  tracerName: string,
  name: string,
  traceparent: string | undefined,
  attributes: Attributes = {},
  kind: SpanKind = SpanKind.CONSUMER,
): { span: Span; traceparent: string | undefined } {
  const span = trace
    .getTracer(tracerName)
    .startSpan(name, { kind, attributes }, contextFromTraceparent(traceparent));
  return { span, traceparent: traceparentOf(span) };
}
