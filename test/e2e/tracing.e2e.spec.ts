import { trace } from "@opentelemetry/api";
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace";
import { deviceStreamId, type RecordedEvent } from "@statecast/events";
import { startTelemetry, type Telemetry, traceparentOf } from "@statecast/platform";
import {
  BUSYBOX_APP,
  expectStatus,
  type FleetSystem,
  rolloutReaches,
  sims,
  startFleet,
  until,
} from "./fleet.test-helper.js";

/**
 * One trace across the whole path, in ONE process with ONE tracer provider (an in-memory
 * exporter): the operator's requests → orchestrator HTTP spans → TargetAssigned (its metadata)
 * → the gateway's target write → NATS KV → the agent's apply and its steps → the status reports
 * over NATS → the gateway's ingestion → the committed device events. Real Postgres, real NATS
 * with generated auth, a sim agent (the agent's code path is the same as on a board).
 */
describe("one OpenTelemetry trace from POST /v1/rollouts to the committed device event", () => {
  const exporter = new InMemorySpanExporter();
  let telemetry: Telemetry;
  let system: FleetSystem;

  beforeAll(async () => {
    // Registered first, so both services (bootstrapApp) share this provider.
    telemetry = await startTelemetry(
      "statecast-e2e",
      { otlpEndpoint: undefined },
      { spanProcessors: [new SimpleSpanProcessor({ exporter })] },
    );
    system = await startFleet([...sims("traced", 1, "tr"), ...sims("waves", 2, "wv")]);
  });
  afterAll(async () => {
    await system?.close();
    await telemetry?.shutdown();
  });

  it("links orchestrator, gateway, agent and ingestion spans under the operator's trace", async () => {
    const number = await system.postRevision("traced", [BUSYBOX_APP], "traced 1");
    exporter.reset();

    // The operator's client: one root span whose traceparent both requests carry.
    const root = trace.getTracer("e2e-operator").startSpan("operator: roll out traced#1");
    const traceparent = traceparentOf(root)!;
    const traceId = root.spanContext().traceId;
    const created = await expectStatus(
      system.api("/v1/rollouts", {
        method: "POST",
        headers: { traceparent },
        json: {
          revision: { fleet: "traced", number },
          selector: { fleet: "traced" },
          waves: [
            { size: { percent: 100 }, minSample: 1, soakSeconds: 0, maxFailures: { count: 0 } },
          ],
        },
      }),
      201,
    );
    const rolloutId = String(created.rolloutId);
    await expectStatus(
      system.api(`/v1/rollouts/${rolloutId}/start`, {
        method: "POST",
        headers: { traceparent },
        json: { reason: "traced" },
      }),
      200,
    );
    root.end();
    await rolloutReaches(system, rolloutId, "completed");

    const { events } = await system.store.readStream(deviceStreamId("tr-0000"));
    const assigned = events.find((e) => e.type === "TargetAssigned")!;
    const succeeded = events.find((e) => e.type === "UpdateSucceeded")!;
    expect(succeeded).toBeDefined();

    // The last ingestion span ends right after its report's ack.
    const spans = await until("the committed event's ingestion span", async () => {
      const finished = exporter
        .getFinishedSpans()
        .filter((s) => s.spanContext().traceId === traceId);
      return finished.some((s) => s.spanContext().spanId === spanIdOf(succeeded))
        ? finished
        : undefined;
    });
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const named = (name: string) => spans.filter((s) => s.name === name);
    const one = (name: string) => {
      const found = named(name);
      expect(found.map((s) => s.name)).toEqual([name]);
      return found[0]!;
    };
    const parentOf = (span: ReadableSpan) => byId.get(span.parentSpanContext?.spanId ?? "");
    const scope = (span: ReadableSpan) => span.instrumentationScope.name;

    // Orchestrator: the two requests, children of the operator's span, named by route.
    const create = one("POST /v1/rollouts");
    const start = one("POST /v1/rollouts/:id/start");
    for (const span of [create, start]) {
      expect(scope(span)).toBe("orchestrator");
      expect(span.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
      expect(span.attributes["http.response.status_code"]).toBeLessThan(300);
    }
    // TargetAssigned was appended by the start request: its metadata names that span.
    expect(spanIdOf(assigned)).toBe(start.spanContext().spanId);

    // Gateway: the target write continues TargetAssigned's trace context.
    const write = one("gateway.target.write");
    expect(scope(write)).toBe("device-gateway");
    expect(parentOf(write)).toBe(start);
    expect(write.attributes["statecast.device_id"]).toBe("tr-0000");

    // Agent: the apply continues the (signed) target envelope's traceparent over NATS KV.
    const apply = one("agent.apply");
    expect(scope(apply)).toBe("device-agent");
    expect(parentOf(apply)).toBe(write);
    const outcome = (succeeded.data as { status: string }).status;
    expect(apply.attributes["statecast.status"]).toBe(outcome);
    const steps = spans.filter((s) => parentOf(s) === apply).map((s) => s.name);
    for (const step of [
      "agent.verify",
      "agent.fetch",
      "agent.beginTry",
      "agent.prepareContainer",
      "agent.startContainer",
      "agent.awaitGroup",
      "agent.awaitCommitDelay",
      "agent.commit",
    ])
      expect(steps).toContain(step);
    for (const span of spans.filter((s) => s.name.startsWith("agent.")))
      expect(scope(span)).toBe("device-agent");
    // Steps in order: verified before fetched, fetched before started, committed last.
    const at = (name: string) => hrMs(one(name).startTime);
    expect(at("agent.verify")).toBeLessThanOrEqual(at("agent.fetch"));
    expect(at("agent.fetch")).toBeLessThanOrEqual(at("agent.startContainer"));
    expect(at("agent.awaitCommitDelay")).toBeLessThanOrEqual(at("agent.commit"));

    // Gateway ingestion: every report of the apply continues the apply's span, and each device
    // event the reports committed names its ingestion span.
    const ingests = named("gateway.status.ingest");
    expect(ingests.length).toBeGreaterThanOrEqual(4);
    for (const span of ingests) {
      expect(scope(span)).toBe("device-gateway");
      expect(parentOf(span)).toBe(apply);
    }
    const reported = events.filter(
      (e) => e.globalPosition > assigned.globalPosition && e.type.startsWith("Update"),
    );
    expect(reported.map((e) => e.type)).toContain("UpdateSucceeded");
    for (const event of reported) {
      const ingest = byId.get(spanIdOf(event) ?? "");
      expect(ingest?.name).toBe("gateway.status.ingest");
      expect(ingest && parentOf(ingest)).toBe(apply);
    }
    const final = byId.get(spanIdOf(succeeded)!)!;
    expect(final.attributes["statecast.status"]).toBe(outcome);

    // One trace: every span of the path shares the operator's trace id (filtered above), and
    // the chain from the committed event leads back to the operator's request.
    const chain: string[] = [];
    for (let s: ReadableSpan | undefined = final; s; s = parentOf(s)) chain.push(s.name);
    expect(chain).toEqual([
      "gateway.status.ingest",
      "agent.apply",
      "gateway.target.write",
      "POST /v1/rollouts/:id/start",
      "operator: roll out traced#1",
    ]);
    expect([...new Set(spans.map(scope))].sort()).toEqual([
      "device-agent",
      "device-gateway",
      "e2e-operator",
      "orchestrator",
    ]);
  });

  it("a later wave's targets continue the trace of the report that passed the gate", async () => {
    const number = await system.postRevision("waves", [BUSYBOX_APP], "waves 1");
    exporter.reset();
    const root = trace.getTracer("e2e-operator").startSpan("operator: roll out waves#1");
    const traceparent = traceparentOf(root)!;
    const traceId = root.spanContext().traceId;
    const wave = { minSample: 1, soakSeconds: 0, maxFailures: { count: 0 } };
    const created = await expectStatus(
      system.api("/v1/rollouts", {
        method: "POST",
        headers: { traceparent },
        json: {
          revision: { fleet: "waves", number },
          selector: { fleet: "waves" },
          waves: [
            { size: { percent: 50 }, ...wave },
            { size: { percent: 50 }, ...wave },
          ],
        },
      }),
      201,
    );
    const rolloutId = String(created.rolloutId);
    await expectStatus(
      system.api(`/v1/rollouts/${rolloutId}/start`, {
        method: "POST",
        headers: { traceparent },
        json: { reason: "traced" },
      }),
      200,
    );
    root.end();
    await rolloutReaches(system, rolloutId, "completed");

    const spans = await until("both devices' applies in the operator's trace", async () => {
      const finished = exporter
        .getFinishedSpans()
        .filter((s) => s.spanContext().traceId === traceId);
      return finished.filter((s) => s.name === "agent.apply").length === 2 ? finished : undefined;
    });
    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const parentOf = (span: ReadableSpan | undefined) =>
      byId.get(span?.parentSpanContext?.spanId ?? "");
    const start = spans.find((s) => s.name === "POST /v1/rollouts/:id/start")!;
    const writes = spans.filter((s) => s.name === "gateway.target.write");
    expect(writes).toHaveLength(2);
    const first = writes.find((w) => parentOf(w) === start)!;
    const second = writes.find((w) => w !== first)!;
    expect(first).toBeDefined();
    const firstDevice = first.attributes["statecast.device_id"];
    expect(second.attributes["statecast.device_id"]).not.toBe(firstDevice);
    // Wave 2's target was caused by a wave-1 report: its write hangs off that report's ingestion.
    const cause = parentOf(second);
    expect(cause?.name).toBe("gateway.status.ingest");
    const causeApply = parentOf(cause);
    expect(causeApply?.name).toBe("agent.apply");
    expect(causeApply?.attributes["statecast.device_id"]).toBe(firstDevice);
    expect(parentOf(causeApply)).toBe(first);
  });
});

function spanIdOf(event: RecordedEvent): string | undefined {
  return event.metadata.traceparent?.split("-")[2];
}

function hrMs([seconds, nanos]: [number, number]): number {
  return seconds * 1000 + nanos / 1e6;
}
