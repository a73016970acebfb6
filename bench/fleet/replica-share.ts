import type { ServiceProcess } from "./service-process.js";

/** `/metrics` of a running service: each sample line as `family{labels}` → value. */
async function scrape(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

/** Sum of the samples whose series name (before labels) passes `test`; null when there is none. */
function sumOf(samples: Map<string, number>, test: (family: string, series: string) => boolean) {
  let sum: number | null = null;
  for (const [series, value] of samples) {
    const family = series.split("{")[0] ?? series;
    if (test(family, series)) sum = (sum ?? 0) + value;
  }
  return sum;
}

const PM = 'processor="orchestrator.rollout-process-manager"';
const REGISTRY = 'processor="orchestrator.device-registry"';

/**
 * Each replica's share, read from its own `/metrics` (issue 16): the orchestrator's partitions
 * held and rollout decisions made (process manager), the gateway's reports ingested (its share of
 * the durable status consumer) and target writes (the family the gateway has for them, if any).
 */
export async function replicaShares(
  orchestrators: readonly ServiceProcess[],
  gateways: readonly ServiceProcess[],
) {
  const count = Math.max(orchestrators.length, gateways.length);
  const shares = [];
  for (let i = 0; i < count; i++) {
    const [orchestrator, gateway] = [orchestrators[i], gateways[i]];
    const o = orchestrator ? await scrape(orchestrator.url) : new Map<string, number>();
    const g = gateway ? await scrape(gateway.url) : new Map<string, number>();
    shares.push({
      replica: i,
      orchestrator: {
        pm_partitions_held: sumOf(
          o,
          (f, s) => f === "statecast_processor_partitions_held" && s.includes(PM),
        ),
        decisions: sumOf(o, (f) => f === "statecast_rollout_decisions_total"),
        facts_routed: sumOf(o, (f) => f === "statecast_rollout_facts_total"),
        registry_partitions_held: sumOf(
          o,
          (f, s) => f === "statecast_processor_partitions_held" && s.includes(REGISTRY),
        ),
        registry_events: sumOf(
          o,
          (f, s) => f === "statecast_processor_events_handled_total" && s.includes(REGISTRY),
        ),
      },
      gateway: {
        reports_ingested: sumOf(g, (f) => f === "statecast_gateway_reports_ingested_total"),
        target_writes: sumOf(
          g,
          (f) => /^statecast_gateway_target\w*_total$/.test(f) && /writ/.test(f),
        ),
      },
    });
  }
  return shares;
}
