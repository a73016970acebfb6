import { type Attributes, type Span, SpanKind, trace } from "@opentelemetry/api";
import { contextFromTraceparent, TRACEPARENT, traceparentOf } from "@statecast/contract";

// W3C trace context is the device plane contract's (OpenTelemetry's W3C propagator underneath).
export { contextFromTraceparent, TRACEPARENT, traceparentOf };

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
