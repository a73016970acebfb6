import {
  type Context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  type Span,
  trace,
} from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";

/**
 * W3C trace context on the device plane: targets carry the gateway's `traceparent`, reports the
 * agent's, events the service's. Parsing and writing are OpenTelemetry's W3C propagator; the one
 * rule added here is the strict version-00 layout the report schema holds devices to (the
 * propagator alone would also take surrounding spaces or a future version's extra fields).
 * Called directly rather than through the global propagator, so it works the same whether or
 * not telemetry was started (a board never starts it).
 */
export const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

const w3c = new W3CTraceContextPropagator();

/** The remote context a `traceparent` names: ROOT when absent, malformed or all zeros. */
export function contextFromTraceparent(traceparent: unknown): Context {
  if (typeof traceparent !== "string" || !TRACEPARENT.test(traceparent)) return ROOT_CONTEXT;
  return w3c.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter);
}

/** The `traceparent` naming `span` as parent, or undefined when it belongs to no trace. */
export function traceparentOf(span: Span | undefined): string | undefined {
  if (!span) return undefined;
  const carrier: Record<string, string> = {};
  w3c.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
  return carrier.traceparent;
}
