import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { prepareDataDir } from "./data-dir.js";

// As root, the embedded Postgres runs as user `postgres`, which must be able to enter its cluster.
describe.runIf(process.getuid?.() === 0)("the embedded Postgres cluster's place, as root", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "statecast-datadir-"));
    chmodSync(dir, 0o755);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("stays in the data dir when the postgres user can reach it", () => {
    const dataDir = join(dir, "open", ".statecast");
    expect(prepareDataDir(dataDir, true, join(dir, "shared"))).toBe(join(dataDir, "postgres"));
  });

  it("moves to the shared dir, linked from the data dir, in a checkout closed to others", () => {
    const closed = join(dir, "closed");
    mkdirSync(closed, { mode: 0o700 });
    const dataDir = join(closed, "statecast", ".statecast");
    const shared = join(dir, "shared");
    const cluster = prepareDataDir(dataDir, true, shared);
    expect(cluster).toMatch(new RegExp(`^${shared}/[0-9a-f]{16}$`));
    expect(lstatSync(join(dataDir, "postgres")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dataDir, "postgres"))).toBe(cluster);
    // The next start of the same checkout finds the same cluster.
    expect(prepareDataDir(dataDir, true, shared)).toBe(cluster);
  });

  it("leaves the data dir alone with an external Postgres", () => {
    const dataDir = join(dir, "ext");
    expect(prepareDataDir(dataDir, false, join(dir, "shared"))).toBe(join(dataDir, "postgres"));
  });
});
