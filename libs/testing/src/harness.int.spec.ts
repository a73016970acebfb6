import { connect } from "@nats-io/transport-node";
import pg from "pg";
import { createTestDatabase, startTestNats } from "./index.js";

describe("test harness", () => {
  it("gives each test its own empty Postgres database", async () => {
    const a = await createTestDatabase();
    const b = await createTestDatabase();
    try {
      expect(a.url).not.toBe(b.url);
      const client = new pg.Client({ connectionString: a.url });
      await client.connect();
      await client.query("CREATE TABLE only_in_a (x int)");
      await client.end();
      const other = new pg.Client({ connectionString: b.url });
      await other.connect();
      const { rows } = await other.query("SELECT to_regclass('only_in_a') AS t");
      await other.end();
      expect(rows[0].t).toBeNull();
    } finally {
      await a.drop();
      await b.drop();
    }
  });

  it("starts a private nats-server with JetStream on a free port", async () => {
    const nats = await startTestNats();
    try {
      expect(nats.port).not.toBe(4222);
      const nc = await connect({ servers: nats.url });
      const info = nc.info;
      expect(info?.jetstream).toBe(true);
      await nc.close();
    } finally {
      await nats.dispose();
    }
    expect(nats.process.exitCode !== null || nats.process.signalCode !== null).toBe(true);
  });
});
