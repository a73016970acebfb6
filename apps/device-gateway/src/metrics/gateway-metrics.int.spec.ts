import { jetstream } from "@nats-io/jetstream";
import { PROMETHEUS_CONTENT_TYPE, parseFamilyTypes, parseSamples } from "@statecast/platform";
import {
  aReport,
  aTargetedDevice,
  publishReport,
  untilIngested,
  useGateway,
} from "../testing/gateway.test-helper.js";

describe("device-gateway /metrics", () => {
  const h = useGateway();

  async function scrape() {
    const res = await fetch(`${h.gateway.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(PROMETHEUS_CONTENT_TYPE);
    const text = await res.text();
    return { types: parseFamilyTypes(text), samples: parseSamples(text) };
  }

  it("serves the ingestion counters and the store gauges", async () => {
    const { types, samples } = await scrape();
    expect(Object.fromEntries(types)).toMatchObject({
      statecast_gateway_reports_ingested_total: "counter",
      statecast_gateway_reports_dropped_total: "counter",
      statecast_gateway_targets_written_total: "counter",
      statecast_processor_lag_events: "gauge",
      statecast_devices: "gauge",
      statecast_gateway_devices_present: "gauge",
      statecast_gateway_object_reads_active: "gauge",
      statecast_gateway_object_reads_queued: "gauge",
      statecast_gateway_object_read_waits_total: "counter",
      statecast_gateway_object_read_wait_seconds_total: "counter",
      statecast_gateway_object_requests_unavailable_total: "counter",
      process_cpu_seconds_total: "counter",
    });
    expect(samples.get("statecast_gateway_reports_ingested_total")).toBe(0);
    expect(samples.get("statecast_gateway_object_reads_queued")).toBe(0);
    expect(
      samples.get('statecast_gateway_object_requests_unavailable_total{reason="queue_timeout"}'),
    ).toBe(0);
  });

  it("counts ingested reports and drops by reason", async () => {
    await aTargetedDevice(h.store, "dev-m1");
    await publishReport(h.device, aReport("dev-m1", 1, { status: "QUEUED", progress: 5 }));
    await publishReport(h.device, aReport("dev-m1", 2));
    await publishReport(h.device, aReport("dev-m1", 1), "dev-m1:boot-1:1:late");
    await jetstream(h.device).publish("sc.dev.dev-m1.status", "{not json");
    await untilIngested(h.device);

    const { samples } = await scrape();
    expect(samples.get("statecast_gateway_reports_ingested_total")).toBe(2);
    expect(samples.get('statecast_gateway_reports_dropped_total{reason="malformed"}')).toBe(1);
    expect(samples.get('statecast_gateway_reports_dropped_total{reason="stale"}')).toBe(1);
  });
});
