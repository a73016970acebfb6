import { parseSamples } from "@statecast/platform";

/**
 * The gateway's object read queue, from its `/metrics` (issue 16): how many object requests
 * waited for a read, for how long in all, and how many were answered `unavailable` (the device
 * asked again later). Empty when the scrape fails: a figure, never a reason to fail the run.
 */
export async function objectReadFigures(gatewayUrl: string): Promise<Record<string, number>> {
  const res = await fetch(`${gatewayUrl}/metrics`).catch(() => undefined);
  if (!res?.ok) return {};
  const samples = parseSamples(await res.text());
  const unavailable = (reason: string) =>
    samples.get(`statecast_gateway_object_requests_unavailable_total{reason="${reason}"}`) ?? 0;
  return {
    object_read_waits: samples.get("statecast_gateway_object_read_waits_total") ?? 0,
    object_read_wait_s: Number(
      (samples.get("statecast_gateway_object_read_wait_seconds_total") ?? 0).toFixed(1),
    ),
    object_unavailable_queue_timeout: unavailable("queue_timeout"),
    object_unavailable_read_failed: unavailable("read_failed"),
  };
}
