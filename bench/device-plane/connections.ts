import { connect, type NatsConnection } from "@nats-io/transport-node";

/** Opens `count` connections (64 at a time), holds them all at once, then closes them. */
export async function holdConnections(url: string, count: number) {
  const open: NatsConnection[] = [];
  const started = performance.now();
  let error: string | undefined;
  try {
    while (open.length < count) {
      const batch = Math.min(64, count - open.length);
      open.push(
        ...(await Promise.all(
          Array.from({ length: batch }, () => connect({ servers: url, reconnect: false })),
        )),
      );
    }
    await Promise.all(open.map((nc) => nc.flush())); // every one of them answers a round trip
  } catch (e) {
    error = (e as Error).message;
  }
  const seconds = Number(((performance.now() - started) / 1000).toFixed(1));
  const connected = open.filter((nc) => !nc.isClosed()).length;
  await Promise.all(open.map((nc) => nc.close()));
  return { connected, seconds, error };
}
