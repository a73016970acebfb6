import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import type { SpanProcessor } from "@opentelemetry/sdk-trace";

export interface TelemetryConfig {
  /** Base OTLP/HTTP URL (as OTEL_EXPORTER_OTLP_ENDPOINT); traces go to `<endpoint>/v1/traces`. */
  otlpEndpoint: string | undefined;
}

export interface TelemetryOptions {
  /** Extra processors, e.g. an in-memory exporter in tests. */
  spanProcessors?: SpanProcessor[];
}

export interface Telemetry {
  /** True when spans are recorded and exported somewhere. */
  readonly tracing: boolean;
  shutdown(): Promise<void>;
}

/**
 * W3C trace context propagation always; a tracer provider exporting over OTLP/HTTP only when an
 * endpoint (or a span processor) is given, so an unconfigured service records nothing.
 */
export async function startTelemetry(
  serviceName: string,
  config: TelemetryConfig,
  options: TelemetryOptions = {},
): Promise<Telemetry> {
  const propagator = new W3CTraceContextPropagator();
  const spanProcessors = [...(options.spanProcessors ?? [])];
  if (config.otlpEndpoint) {
    // Loaded only when exporting: the SDK and exporter take seconds to import on a small machine.
    const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
    const { BatchSpanProcessor } = await import("@opentelemetry/sdk-trace");
    const url = `${config.otlpEndpoint.replace(/\/+$/, "")}/v1/traces`;
    spanProcessors.push(new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }) }));
  }
  if (spanProcessors.length === 0) {
    // Nothing is recorded, but a traceparent received still flows through async code to NATS
    // headers and event metadata, so a collecting service further on sees one trace.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(propagator);
    return { tracing: false, shutdown: async () => disableGlobals() };
  }
  const { NodeSDK } = await import("@opentelemetry/sdk-node");
  const sdk = new NodeSDK({
    serviceName,
    textMapPropagator: propagator,
    spanProcessors,
    // Traces only: no log or metric pipelines from the environment's defaults.
    logRecordProcessors: [],
    metricReaders: [],
  });
  sdk.start();
  return {
    tracing: true,
    shutdown: async () => {
      await sdk.shutdown();
      disableGlobals();
    },
  };
}

/** Unregisters the globals so that a later start in the same process can register again. */
function disableGlobals(): void {
  trace.disable();
  context.disable();
  propagation.disable();
}
