import { accessSync, chmodSync, constants, mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";

/** Creates the data dir; as root, makes sure the embedded Postgres (user `postgres`) can reach it. */
export function prepareDataDir(dataDir: string, embeddedPostgres: boolean): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  accessSync(dataDir, constants.W_OK);
  if (!embeddedPostgres || process.getuid?.() !== 0) return;
  const mode = statSync(dataDir).mode & 0o777;
  if ((mode & 0o001) === 0) chmodSync(dataDir, mode | 0o011);
  for (let dir = dirname(dataDir); ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) {
      throw new Error(
        `the embedded Postgres runs as user "postgres", which cannot enter ${dir}; ` +
          "choose a STATECAST_DATA_DIR outside it, or set DATABASE_URL to an existing Postgres",
      );
    }
    if (dir === dirname(dir)) return;
  }
}
