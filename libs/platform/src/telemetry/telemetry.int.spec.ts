import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { context, propagation, ROOT_CONTEXT, TraceFlags, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace";
import { startTelemetry } from "./telemetry.js";

interface Received {
  path: string;
  contentType: string | undefined;
  body: string;
}

/** A stand-in OTLP/HTTP collector on loopback that records what it is sent. */
async function startCollector(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    req.on("end", () => {
      received.push({ path: req.url ?? "", contentType: req.headers["content-type"], body });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, received };
}

const remoteParent = {
  traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
  spanId: "00f067aa0ba902b7",
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
};

describe("startTelemetry", () => {
  it("propagates W3C trace context but records nothing without an endpoint", async () => {
    const telemetry = await startTelemetry("orchestrator", { otlpEndpoint: undefined });
    try {
      expect(telemetry.tracing).toBe(false);
      const carrier: Record<string, string> = {};
      propagation.inject(trace.setSpanContext(ROOT_CONTEXT, remoteParent), carrier);
      expect(carrier.traceparent).toBe(`00-${remoteParent.traceId}-${remoteParent.spanId}-01`);
      const extracted = propagation.extract(ROOT_CONTEXT, carrier);
      expect(trace.getSpanContext(extracted)?.traceId).toBe(remoteParent.traceId);
      // The received context stays active across awaits, so it can be passed on further.
      const passedOn = await context.with(extracted, async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        const onward: Record<string, string> = {};
        propagation.inject(context.active(), onward);
        return onward.traceparent;
      });
      expect(passedOn).toBe(carrier.traceparent);
      expect(trace.getTracer("test").startSpan("unrecorded").isRecording()).toBe(false);
    } finally {
      await telemetry.shutdown();
    }
  });

  it("exports spans over OTLP/HTTP to <endpoint>/v1/traces and flushes on shutdown", async () => {
    const collector = await startCollector();
    try {
      const telemetry = await startTelemetry("device-gateway", {
        otlpEndpoint: `${collector.url}/`,
      });
      expect(telemetry.tracing).toBe(true);
      const parent = trace.setSpanContext(ROOT_CONTEXT, remoteParent);
      const span = trace.getTracer("test").startSpan("apply-target", {}, parent);
      context.with(trace.setSpan(parent, span), () => {
        const carrier: Record<string, string> = {};
        propagation.inject(context.active(), carrier);
        expect(carrier.traceparent).toContain(remoteParent.traceId);
      });
      span.end();
      await telemetry.shutdown();
      const traces = collector.received.filter((r) => r.path === "/v1/traces");
      expect(traces).toHaveLength(1);
      const body = traces[0]?.body ?? "";
      expect(body).toContain("apply-target");
      expect(body).toContain("device-gateway");
      expect(body).toContain(remoteParent.traceId);
    } finally {
      collector.server.close();
    }
  });

  it("services in one process share the first registration until the last shuts down", async () => {
    const exporter = new InMemorySpanExporter();
    const host = await startTelemetry(
      "host",
      { otlpEndpoint: undefined },
      { spanProcessors: [new SimpleSpanProcessor({ exporter })] },
    );
    const orchestrator = await startTelemetry("orchestrator", { otlpEndpoint: undefined });
    const gateway = await startTelemetry("device-gateway", { otlpEndpoint: undefined });
    expect([host.tracing, orchestrator.tracing, gateway.tracing]).toEqual([true, true, true]);
    trace.getTracer("orchestrator").startSpan("while all run").end();
    await orchestrator.shutdown();
    await orchestrator.shutdown(); // twice counts once
    trace.getTracer("device-gateway").startSpan("after one service stopped").end();
    await gateway.shutdown();
    trace.getTracer("host").startSpan("host alone").end();
    // Exported once the resource is detected; the exporter forgets them when shut down.
    await vi.waitFor(() =>
      expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual([
        "while all run",
        "after one service stopped",
        "host alone",
      ]),
    );
    await host.shutdown();
    expect(trace.getTracer("test").startSpan("after the last").isRecording()).toBe(false);
    // Registered again from scratch afterwards.
    const again = await startTelemetry("again", { otlpEndpoint: undefined });
    expect(again.tracing).toBe(false);
    await again.shutdown();
  });
});
