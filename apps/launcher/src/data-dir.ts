import { createHash } from "node:crypto";
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  lstatSync,
  mkdirSync,
  realpathSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { join } from "node:path";
import { reachableByOthers } from "@statecast/infra";

/** Where, as root, the embedded Postgres keeps a cluster whose data dir it cannot enter. */
export const SHARED_CLUSTERS_DIR = "/var/lib/statecast/postgres";

/**
 * Creates the data dir and says where the embedded Postgres keeps its cluster: normally
 * `<dataDir>/postgres`. As root the server runs as user `postgres`; when that user cannot enter the
 * data dir (a checkout under `/root` or a `mktemp -d`), the cluster goes to
 * `SHARED_CLUSTERS_DIR/<hash of the data dir's path>` instead, and `<dataDir>/postgres` becomes a
 * symlink to it, so one data dir keeps finding its own cluster.
 */
export function prepareDataDir(
  dataDir: string,
  embeddedPostgres: boolean,
  sharedClusters = SHARED_CLUSTERS_DIR,
): string {
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  accessSync(dataDir, constants.W_OK);
  const inPlace = join(dataDir, "postgres");
  if (!embeddedPostgres || process.getuid?.() !== 0) return inPlace;
  if (reachableByOthers(dataDir)) {
    const mode = statSync(dataDir).mode & 0o777;
    if ((mode & 0o001) === 0) chmodSync(dataDir, mode | 0o011);
    if (!existsSync(inPlace) || !lstatSync(inPlace).isSymbolicLink()) return inPlace;
  }
  const key = createHash("sha256").update(realpathSync(dataDir)).digest("hex").slice(0, 16);
  const shared = join(sharedClusters, key);
  mkdirSync(sharedClusters, { recursive: true, mode: 0o755 });
  if (!existsSync(inPlace) && !isDanglingLink(inPlace)) symlinkSync(shared, inPlace);
  return shared;
}

function isDanglingLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
