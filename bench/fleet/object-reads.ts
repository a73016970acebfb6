import { parseSamples } from "@statecast/platform";

/**
 * The gateway's object read queue, from its `/metrics` (issue 16): how many reads waited in the
 * queue, for how long in all, how many requests were answered `unavailable` (the device asked
 * again later), and what the gateway's memory spared the queue: chunk requests answered from
 * the chunk cache (`hits`), sharing a read already running (`shared`) or reading (`misses`),
 * and the info and delta-offer lookups that did read `sc_objects`. Empty when the scrape fails:
 * a figure, never a reason to fail the run.
 */
export async function objectReadFigures(gatewayUrl: string): Promise<Record<string, number>> {
  const res = await fetch(`${gatewayUrl}/metrics`).catch(() => undefined);
  if (!res?.ok) return {};
  const samples = parseSamples(await res.text());
  /** The sample of `name` carrying every label given (whatever order they are written in). */
  const sample = (name: string, labels: Record<string, string> = {}) => {
    const pairs = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
    for (const [series, value] of samples) {
      const [base, rest = ""] = series.split("{");
      if (base === name && pairs.every((pair) => rest.includes(pair))) return value;
    }
    return 0;
  };
  const unavailable = (reason: string) =>
    sample("statecast_gateway_object_requests_unavailable_total", { reason });
  const chunks = (result: string) =>
    sample("statecast_gateway_object_chunk_cache_requests_total", { result });
  const reads = (kind: string) =>
    sample("statecast_gateway_object_lookups_total", { kind, result: "read" });
  return {
    object_read_waits: sample("statecast_gateway_object_read_waits_total"),
    object_read_wait_s: Number(
      sample("statecast_gateway_object_read_wait_seconds_total").toFixed(1),
    ),
    object_unavailable_queue_timeout: unavailable("queue_timeout"),
    object_unavailable_read_failed: unavailable("read_failed"),
    object_chunk_hits: chunks("hit"),
    object_chunk_shared: chunks("shared"),
    object_chunk_misses: chunks("miss"),
    object_chunk_evictions: sample("statecast_gateway_object_chunk_cache_evictions_total"),
    object_chunk_cache_bytes: sample("statecast_gateway_object_chunk_cache_bytes"),
    object_info_reads: reads("info"),
    object_offers_reads: reads("offers"),
  };
}
