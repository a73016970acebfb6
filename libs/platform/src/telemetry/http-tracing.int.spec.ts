import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { Body, Controller, Get, HttpCode, Module, Param, Post } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import { SpanKind, trace } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace";
import { traceHttpRequests } from "./http-tracing.js";
import { startTelemetry, type Telemetry } from "./telemetry.js";
import { traceparentOf } from "./trace-context.js";

@Controller()
class ThingsController {
  @Post("v1/things/:id")
  @HttpCode(200)
  async create(@Param("id") id: string, @Body() body: { name?: string }) {
    // After the body was parsed and an await: the request's span is still the active one.
    await sleep(5);
    return { id, name: body.name, traceparent: traceparentOf(trace.getActiveSpan()) };
  }

  @Get("health/live")
  live() {
    return { traceparent: traceparentOf(trace.getActiveSpan()) ?? null };
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

const PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("traceHttpRequests", () => {
  const exporter = new InMemorySpanExporter();
  let telemetry: Telemetry;
  let app: Awaited<ReturnType<typeof NestFactory.create>>;
  let url: string;

  beforeAll(async () => {
    telemetry = await startTelemetry(
      "http-test",
      { otlpEndpoint: undefined },
      { spanProcessors: [new SimpleSpanProcessor({ exporter })] },
    );
    app = await NestFactory.create(ThingsModule, { logger: false });
    app.use(traceHttpRequests("http-test"));
    await app.listen(0, "127.0.0.1");
    url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app?.close();
    await telemetry?.shutdown();
  });

  it("one SERVER span per request, child of its traceparent, named by route, active in the handler", async () => {
    const res = await fetch(`${url}/v1/things/42?x=1`, {
      method: "POST",
      headers: { traceparent: PARENT, "content-type": "application/json" },
      body: JSON.stringify({ name: "thing" }),
    });
    const body = (await res.json()) as { id: string; name: string; traceparent: string };
    expect(body).toMatchObject({ id: "42", name: "thing" });
    const span = await vi.waitFor(() => {
      const found = exporter.getFinishedSpans().find((s) => s.name === "POST /v1/things/:id");
      if (!found) throw new Error("no span yet");
      return found;
    });
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.instrumentationScope.name).toBe("http-test");
    expect(span.spanContext().traceId).toBe(PARENT.split("-")[1]);
    expect(span.parentSpanContext?.spanId).toBe(PARENT.split("-")[2]);
    expect(span.attributes).toMatchObject({
      "http.request.method": "POST",
      "http.route": "/v1/things/:id",
      "http.response.status_code": 200,
    });
    const { traceId, spanId } = span.spanContext();
    expect(body.traceparent).toBe(`00-${traceId}-${spanId}-01`);
  });

  it("starts a new trace without a traceparent, and leaves probes untraced", async () => {
    exporter.reset();
    const created = (await (
      await fetch(`${url}/v1/things/7`, {
        method: "POST",
        headers: { traceparent: "not-a-traceparent", "content-type": "application/json" },
        body: "{}",
      })
    ).json()) as { traceparent: string };
    expect(created.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(created.traceparent.split("-")[1]).not.toBe(PARENT.split("-")[1]);
    const live = (await (await fetch(`${url}/health/live`)).json()) as { traceparent: unknown };
    expect(live.traceparent).toBeNull();
    await vi.waitFor(() => expect(exporter.getFinishedSpans()).toHaveLength(1));
    expect(exporter.getFinishedSpans()[0]?.parentSpanContext).toBeUndefined();
  });
});
