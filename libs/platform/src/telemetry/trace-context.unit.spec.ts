import { ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { contextFromTraceparent, continueTrace, traceparentOf } from "./trace-context.js";

const PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("trace context helpers", () => {
  it("parses a W3C traceparent into a remote parent and formats it back", () => {
    const ctx = contextFromTraceparent(PARENT);
    expect(trace.getSpanContext(ctx)).toMatchObject({
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      spanId: "00f067aa0ba902b7",
      traceFlags: 1,
      isRemote: true,
    });
    expect(traceparentOf(trace.getSpan(ctx))).toBe(PARENT);
  });

  it("ignores a missing, malformed or all-zero traceparent", () => {
    for (const bad of [
      undefined,
      "",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
      `${PARENT}-extra`,
    ])
      expect(contextFromTraceparent(bad)).toBe(ROOT_CONTEXT);
  });

  it("without a tracer provider passes the received trace context on unchanged", () => {
    const { span, traceparent } = continueTrace("test", "step", PARENT);
    expect(span.isRecording()).toBe(false);
    expect(traceparent).toBe(PARENT);
    expect(continueTrace("test", "step", undefined).traceparent).toBeUndefined();
  });
});
