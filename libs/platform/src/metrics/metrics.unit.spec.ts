import { Metrics } from "./metrics.js";
import { parseFamilyTypes, parseSamples } from "./prometheus-parse.js";

describe("Metrics registry", () => {
  it("renders counters, gauges and histograms as they are updated", async () => {
    const metrics = new Metrics();
    const reports = metrics.counter("sc_reports_total", "Reports.", ["result"]);
    const queue = metrics.gauge("sc_queue_depth", "Queued.");
    const latency = metrics.histogram("sc_apply_seconds", "Apply time.", [], [0.1, 1]);
    reports.inc({ result: "ok" });
    reports.inc({ result: "ok" }, 2);
    reports.inc({ result: "dropped" });
    queue.set({}, 7);
    queue.inc({}, -2);
    latency.observe({}, 0.05);
    latency.observe({}, 0.5);
    latency.observe({}, 3);

    const text = await metrics.render();
    expect(text).toContain("# TYPE sc_reports_total counter\n");
    expect(text).toContain(
      'sc_reports_total{result="ok"} 3\nsc_reports_total{result="dropped"} 1\n',
    );
    expect(text).toContain("# TYPE sc_queue_depth gauge\nsc_queue_depth 5\n");
    expect(text).toContain(
      [
        "# TYPE sc_apply_seconds histogram",
        'sc_apply_seconds_bucket{le="0.1"} 1',
        'sc_apply_seconds_bucket{le="1"} 2',
        'sc_apply_seconds_bucket{le="+Inf"} 3',
        "sc_apply_seconds_sum 3.55",
        "sc_apply_seconds_count 3",
      ].join("\n"),
    );
  });

  it("reads scrape-time families on every render", async () => {
    const metrics = new Metrics();
    let served = 10;
    metrics.onScrape("sc_bytes_total", "Bytes.", "counter", () => [{ value: served }]);
    expect(await metrics.render()).toContain("sc_bytes_total 10\n");
    served = 25;
    expect(await metrics.render()).toContain("sc_bytes_total 25\n");
  });

  it("keeps the scrape going when one reader fails, and counts the failure", async () => {
    const metrics = new Metrics();
    metrics.onScrape("sc_broken", "Fails.", "gauge", async () => {
      throw new Error("database is down");
    });
    metrics.gauge("sc_fine", "Works.").set({}, 1);
    const text = await metrics.render();
    expect(text).toContain("# TYPE sc_broken gauge\n\n# HELP sc_fine");
    expect(text).toContain("sc_fine 1\n");
    expect(await metrics.render()).toContain(
      'statecast_metrics_scrape_errors_total{family="sc_broken"} 1\n',
    );
  });

  it("reads labelled families whole on each scrape, dropping series no longer read", async () => {
    const metrics = new Metrics();
    let drops: Record<string, number> = { malformed: 2, spoofed: 1 };
    metrics.onScrape(
      "sc_drops_total",
      "Drops.",
      "counter",
      () => Object.entries(drops).map(([reason, value]) => ({ labels: { reason }, value })),
      ["reason"],
    );
    const first = parseSamples(await metrics.render());
    expect(first.get('sc_drops_total{reason="malformed"}')).toBe(2);
    expect(first.get('sc_drops_total{reason="spoofed"}')).toBe(1);
    drops = { malformed: 5 };
    const second = parseSamples(await metrics.render());
    expect(second.get('sc_drops_total{reason="malformed"}')).toBe(5);
    expect(second.has('sc_drops_total{reason="spoofed"}')).toBe(false);
  });

  it("refuses bad names, wrong labels, duplicates and shrinking counters", () => {
    const metrics = new Metrics();
    expect(() => metrics.counter("sc-bad", "x")).toThrow(/Invalid metric name/);
    const c = metrics.counter("sc_c_total", "x", ["reason"]);
    expect(() => metrics.counter("sc_c_total", "x")).toThrow(/already been registered/);
    expect(() => c.inc({ reason: "a", other: "b" } as never)).toThrow(/label "other"/);
    expect(() => c.inc({ reason: "a" }, -1)).toThrow(/not possible to decrease a counter/);
  });
});

describe("reading Prometheus text back", () => {
  it("gives each series its value and each family its type", async () => {
    const metrics = new Metrics();
    metrics.counter("sc_drops_total", "Drops.", ["reason"]).inc({ reason: 'say "hi"' }, 4);
    metrics.gauge("sc_inf", "Inf.").set({}, Number.NEGATIVE_INFINITY);
    const text = await metrics.render();
    expect(parseSamples(text)).toEqual(
      new Map([
        ['sc_drops_total{reason="say \\"hi\\""}', 4],
        ["sc_inf", Number.NEGATIVE_INFINITY],
      ]),
    );
    expect(parseFamilyTypes(text).get("sc_drops_total")).toBe("counter");
  });

  it("refuses a line without a numeric value", () => {
    expect(() => parseSamples('sc_x{a="b"} lots\n')).toThrow(/sample value "lots" is not a number/);
    expect(() => parseSamples("orphan\n")).toThrow(/not a sample line: orphan/);
    expect(parseSamples("sc_lag Nan\nsc_top +Inf\n").get("sc_lag")).toBeNaN();
  });
});
