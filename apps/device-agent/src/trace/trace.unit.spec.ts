import { trace } from "@opentelemetry/api";
import { ApplyTrace, traceparentOf } from "./trace.js";

const TARGET = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

describe("ApplyTrace without a tracer provider (as on a board)", () => {
  it("records nothing and passes the target's trace context on unchanged", async () => {
    const applying = new ApplyTrace(TARGET, { "statecast.device_id": "d1" });
    expect(applying.span.isRecording()).toBe(false);
    expect(applying.traceparent).toBe(TARGET);
    await expect(applying.step("agent.fetch", {}, async () => 42)).resolves.toBe(42);
    await expect(
      applying.step("agent.commit", {}, async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    applying.end("DONE");
  });

  it("has no trace context for a target without one, or with a malformed one", () => {
    for (const given of [undefined, 42, "00-zz-00f067aa0ba902b7-01", `${TARGET} `])
      expect(new ApplyTrace(given, {}).traceparent).toBeUndefined();
    expect(
      traceparentOf(
        trace.wrapSpanContext({ traceId: "0".repeat(32), spanId: "0".repeat(16), traceFlags: 0 }),
      ),
    ).toBeUndefined();
  });
});
