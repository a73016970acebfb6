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

/** The process's registration of the OpenTelemetry globals, shared by every service in it. */
interface Registration {
  tracing: boolean;
  users: number;
  stop(): Promise<void>;
}

let registration: Promise<Registration> | undefined;

/**
 * W3C trace context propagation always; a tracer provider exporting over OTLP/HTTP only when an
 * endpoint (or a span processor) is given, so an unconfigured service records nothing.
 *
 * The globals belong to the process: when several services run in one process (tests, an
 * embedding host), the first start registers them and the later ones share that registration
 * (their own endpoint and processors are then not used); the last shutdown unregisters them.
 */
export async function startTelemetry(
  serviceName: string,
  config: TelemetryConfig,
  options: TelemetryOptions = {},
): Promise<Telemetry> {
  registration ??= register(serviceName, config, options).catch((error: unknown) => {
    registration = undefined;
    throw error;
  });
  const shared = registration;
  const current = await shared;
  current.users++;
  let released = false;
  return {
    tracing: current.tracing,
    shutdown: async () => {
      if (released) return;
      released = true;
      current.users--;
      if (current.users > 0) return;
      if (registration === shared) registration = undefined;
      await current.stop();
    },
  };
}

async function register(
  serviceName: string,
  config: TelemetryConfig,
  options: TelemetryOptions,
): Promise<Registration> {
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
    return { tracing: false, users: 0, stop: async () => disableGlobals() };
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
    users: 0,
    stop: async () => {
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
