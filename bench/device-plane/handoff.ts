// The hop a report would take if the gateway handed reports to the orchestrator over NATS instead
// of appending them (issue 22, item 5): batches of reports as the gateway's ingestion forms them
// (up to 500), sent by request/reply to a responder that decodes them and answers, `--inflight`
// batches at once. Prints reports/s through the hop and per-batch latency; the last line is JSON.
// Run: nice -n 19 npx tsx bench/device-plane/handoff.ts [--reports 200000 --batch 500 --inflight 4]
import { parseArgs } from "node:util";
import { connect } from "@nats-io/transport-node";
import { startTestNats } from "@statecast/testing";
import { deviceIds, report } from "./publish.js";

const { values: flags } = parseArgs({
  options: {
    reports: { type: "string", default: "200000" },
    batch: { type: "string", default: "500" },
    inflight: { type: "string", default: "4" },
  },
});
const REPORTS = Number(flags.reports);
const BATCH = Number(flags.batch);
const INFLIGHT = Number(flags.inflight);

const nats = await startTestNats();
const gateway = await connect({ servers: nats.url });
const orchestrator = await connect({ servers: nats.url });
try {
  orchestrator.subscribe("sc.svc.reports.append", {
    callback: (_error, msg) => {
      const reports = msg.json<unknown[]>();
      msg.respond(JSON.stringify({ ok: true, data: { appended: reports.length } }));
    },
  });
  await orchestrator.flush();
  const ids = deviceIds(BATCH);
  const batches = Math.ceil(REPORTS / BATCH);
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const sender = async () => {
    while (next < batches) {
      const seq = ++next;
      const body = JSON.stringify(ids.map((id) => report(id, "boot", seq, 10)));
      const t0 = performance.now();
      await gateway.request("sc.svc.reports.append", body, { timeout: 10_000 });
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: INFLIGHT }, sender));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Number(latencies[Math.floor(q * (latencies.length - 1))]?.toFixed(2));
  console.log(
    JSON.stringify({
      reports: batches * BATCH,
      batch: BATCH,
      inflight: INFLIGHT,
      handoff_reports_per_s: Math.round((batches * BATCH) / seconds),
      batch_ms_p50: at(0.5),
      batch_ms_p99: at(0.99),
      load_avg_1m: Number((await import("node:os")).loadavg()[0]?.toFixed(2)),
    }),
  );
} finally {
  await gateway.close();
  await orchestrator.close();
  await nats.dispose();
}
