import { startEmbeddedPostgres } from "@statecast/infra";
import pg from "pg";
import type { LauncherConfig } from "./config/launcher.config.js";
import { LogTail } from "./log-tail.js";
import { assertPortFree } from "./port-check.js";

export const DATABASE_NAME = "statecast";

export interface Database {
  /** The services' DATABASE_URL. */
  readonly url: string;
  /** How the summary describes it (never with a password). */
  readonly description: string;
  stop(): Promise<void>;
}

/** DATABASE_URL when given; else an embedded Postgres with its cluster in `dataDir`, kept across runs. */
export async function startDatabase(config: LauncherConfig, dataDir: string): Promise<Database> {
  if (config.databaseUrl) {
    return {
      url: config.databaseUrl,
      description: "external (DATABASE_URL)",
      stop: async () => {},
    };
  }
  await assertPortFree(config.postgresPort, "STATECAST_POSTGRES_PORT", "the embedded Postgres");
  const tail = new LogTail();
  const server = await startEmbeddedPostgres({
    dataDir,
    port: config.postgresPort,
    onLog: (line) => tail.push(line),
  }).catch((err: unknown) => {
    const reason = err instanceof Error ? err.message : "the server exited";
    throw new Error(`embedded Postgres did not start (${reason}):\n${tail}`);
  });
  try {
    await ensureDatabase(server.url("postgres"), DATABASE_NAME);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return {
    url: server.url(DATABASE_NAME),
    description: `embedded, 127.0.0.1:${server.port}, data in ${dataDir}`,
    stop: () => server.stop(),
  };
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
}
