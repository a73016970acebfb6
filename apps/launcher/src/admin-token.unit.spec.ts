import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureAdminToken } from "./admin-token.js";

describe("ensureAdminToken", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "statecast-token-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("generates a token on first use, keeps it mode 0600, and returns it again later", () => {
    const first = ensureAdminToken(dir, undefined);
    expect(first.origin).toBe("generated");
    expect(first.token).toMatch(/^sc_admin_[A-Za-z0-9_-]{43}$/);
    expect(statSync(join(dir, "admin-token")).mode & 0o777).toBe(0o600);
    const again = ensureAdminToken(dir, undefined);
    expect(again).toEqual({
      token: first.token,
      file: join(dir, "admin-token"),
      origin: "data dir",
    });
  });

  it("uses STATECAST_ADMIN_TOKEN when given and writes nothing", () => {
    const given = ensureAdminToken(dir, "operator-chosen-token-123");
    expect(given).toEqual({
      token: "operator-chosen-token-123",
      file: undefined,
      origin: "environment",
    });
    expect(() => readFileSync(join(dir, "admin-token"))).toThrow(/ENOENT/);
  });

  it("refuses a damaged token file without printing its content", () => {
    writeFileSync(join(dir, "admin-token"), "oops\n");
    expect(() => ensureAdminToken(dir, undefined)).toThrow(
      `${join(dir, "admin-token")} does not hold a valid admin token; delete it to generate a new one`,
    );
  });
});
