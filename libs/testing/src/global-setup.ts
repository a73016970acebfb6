import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmbeddedPostgres } from "@statecast/infra";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** A URL with rights to create databases: each test file makes its own. */
    pgAdminUrl: string;
  }
}

/**
 * One private PostgreSQL cluster per test run (embedded unless STATECAST_TEST_DATABASE_URL names an
 * existing server); each test file creates its own database on it with `createTestDatabase()`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.STATECAST_TEST_DATABASE_URL;
  if (given) {
    project.provide("pgAdminUrl", given);
    return async () => {};
  }
  const dir = mkdtempSync(join(tmpdir(), "statecast-pg-"));
  chmodSync(dir, 0o755); // the server runs as the postgres user when we are root
  const pg = await startEmbeddedPostgres({ dataDir: join(dir, "data"), ephemeral: true });
  project.provide("pgAdminUrl", pg.url("postgres"));
  return async () => {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
