import { Kvm } from "@nats-io/kv";
import { connect, type Msg, type NatsConnection } from "@nats-io/transport-node";
import { targetChangedSubject } from "@statecast/contract";
import { startTestNats, type TestNats } from "@statecast/testing";
import { followOwnTarget, type TargetFollow } from "./index.js";

async function next(watch: TargetFollow, withinMs: number): Promise<string> {
  const iterator = watch[Symbol.asyncIterator]();
  const entry = await Promise.race([
    iterator.next(),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no entry within ${withinMs} ms`)), withinMs),
    ),
  ]);
  return entry.done ? "(done)" : entry.value.string();
}

/**
 * Direct gets of a replicated `sc_targets` are answered by any replica, and one that has not
 * applied the write yet answers the revision before it: the change message named a newer one,
 * so the follow reads again shortly instead of waiting for its next check.
 */
describe("following a target through a replica that lags behind the write", () => {
  let nats: TestNats;
  let nc: NatsConnection;
  beforeEach(async () => {
    nats = await startTestNats();
    nc = await connect({ servers: nats.url });
  });
  afterEach(async () => {
    await nc.close();
    await nats.dispose();
  });

  it("reads again until it finds the revision the change message named; a forged one costs a few reads", async () => {
    const kv = await new Kvm(nc).create("sc_targets", { history: 1, allow_direct: true });
    await kv.put("dev-1", "target 1");
    // A JetStream API in front of the real one that answers `stale` direct gets with the reply
    // the first one had (a replica that has not applied anything since).
    let stale = 0;
    let gets = 0;
    let first: Msg | undefined;
    nc.subscribe("lag.api.>", {
      callback: (_error, msg) => {
        gets++;
        const answer = (real: Msg) => msg.respond(real.data, { headers: real.headers! });
        if (stale > 0 && first) {
          stale--;
          answer(first);
          return;
        }
        void nc
          .request(msg.subject.replace(/^lag\.api/, "$JS.API"), msg.data, { timeout: 2_000 })
          .then((real) => {
            first ??= real;
            answer(real);
          })
          .catch(() => undefined);
      },
    });
    const watch = await followOwnTarget(nc, "dev-1", { apiPrefix: "lag.api", checkMs: 600_000 });
    try {
      expect(await next(watch, 5_000)).toBe("target 1");
      stale = 3;
      const revision = await kv.put("dev-1", "target 2");
      nc.publish(targetChangedSubject("dev-1"), `${revision}`);
      expect(await next(watch, 5_000)).toBe("target 2");
      expect(stale).toBe(0);

      // A message naming a revision never written: a bounded number of reads, then quiet.
      const before = gets;
      nc.publish(targetChangedSubject("dev-1"), "999999");
      await new Promise((r) => setTimeout(r, 6_000));
      const reads = gets - before;
      expect(reads).toBeGreaterThan(1);
      expect(reads).toBeLessThanOrEqual(7);
    } finally {
      watch.stop();
    }
  }, 30_000);
});
