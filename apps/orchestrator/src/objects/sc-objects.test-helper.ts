import { jetstream } from "@nats-io/jetstream";
import { Objm } from "@nats-io/obj";
import { connect } from "@nats-io/transport-node";
import { OBJECTS_BUCKET, OBJECTS_STREAM } from "@statecast/contract";
import { NetworkObjectStore } from "./network-object-store.js";
import { ObjectsMeta } from "./sc-objects-meta.js";

/** `sc_objects` on the test's nats-server, as another orchestrator replica would reach it. */
export async function openScObjects(natsUrl: string) {
  const nc = await connect({ servers: natsUrl });
  const js = jetstream(nc);
  const jsm = await js.jetstreamManager();
  const bucket = await new Objm(js).create(OBJECTS_BUCKET);
  const meta = new ObjectsMeta(js, jsm);
  const store = new NetworkObjectStore(bucket, meta);
  return {
    store,
    bucket,
    /** Every live entry's name, temporary uploads included. */
    async names(): Promise<string[]> {
      return (await bucket.list())
        .filter((e) => !e.deleted)
        .map((e) => e.name)
        .sort();
    },
    /** Messages in the stream: a refused upload must leave no chunk behind. */
    async messages(): Promise<number> {
      return (await jsm.streams.info(OBJECTS_STREAM)).state.messages;
    },
    /** As if stored or last touched at `at`. */
    async age(sha: string, at: Date): Promise<void> {
      if (!(await store.touch(sha, at))) throw new Error(`${sha} is not in sc_objects`);
    },
    /** Any entry (a temporary upload too) as if written at `at`. */
    async ageEntry(name: string, at: Date): Promise<void> {
      const found = await meta.read(name);
      if (!found || !(await meta.write({ ...found.meta, mtime: at.toISOString() }, found.seq)))
        throw new Error(`${name} could not be aged`);
    },
    close: () => nc.close(),
  };
}
