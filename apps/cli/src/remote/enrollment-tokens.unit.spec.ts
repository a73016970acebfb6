import { cli } from "../commands/cli.test-helper.js";
import {
  createTokenRequest,
  type EnrollmentTokenView,
  expiresAt,
  formatUses,
  tokenPath,
  tokenState,
} from "./enrollment-tokens.js";

const NOW = new Date("2026-11-26T12:00:00.000Z");

const token = (over: Partial<EnrollmentTokenView> = {}): EnrollmentTokenView => ({
  tokenId: "0b6f3c2e-8d1a-4c57-9a0e-2f4d6b8c1e3a",
  fleet: "lab",
  expiresAt: null,
  maxUses: null,
  uses: 0,
  tags: {},
  createdAt: "2026-11-26T00:00:00.000Z",
  createdBy: "operator:olga",
  revokedAt: null,
  ...over,
});

describe("fleet token flags", () => {
  it("--expires: a duration counts from now, an instant is sent as written", () => {
    expect(expiresAt("90m", NOW)).toBe("2026-11-26T13:30:00.000Z");
    expect(expiresAt("12h", NOW)).toBe("2026-11-27T00:00:00.000Z");
    expect(expiresAt("7d", NOW)).toBe("2026-12-03T12:00:00.000Z");
    expect(expiresAt("2w", NOW)).toBe("2026-12-10T12:00:00.000Z");
    expect(expiresAt("45s", NOW)).toBe("2026-11-26T12:00:45.000Z");
    expect(expiresAt("2026-12-31T00:00:00Z", NOW)).toBe("2026-12-31T00:00:00Z");
    expect(expiresAt("2026-12-31T01:00:00+01:00", NOW)).toBe("2026-12-31T01:00:00+01:00");
    for (const bad of ["7", "7y", "0d", "-1d", "tomorrow", "2026-12-31", "2026-13-45T00:00:00Z"])
      expect(() => expiresAt(bad, NOW), bad).toThrow(/--expires/);
  });

  it("builds the request body; bad --max-uses and --tag are usage errors naming the flag", () => {
    expect(createTokenRequest({}, NOW)).toEqual({});
    expect(
      createTokenRequest({ expires: "1d", maxUses: "50", tag: ["ring=canary", "site=b/2"] }, NOW),
    ).toEqual({
      expiresAt: "2026-11-27T12:00:00.000Z",
      maxUses: 50,
      tags: { ring: "canary", site: "b/2" },
    });
    for (const maxUses of ["0", "1.5", "x", "1000001", "-3"])
      expect(() => createTokenRequest({ maxUses }), maxUses).toThrow(
        `--max-uses "${maxUses}": expected a whole number 1-1000000`,
      );
    expect(() => createTokenRequest({ tag: ["ring"] })).toThrow('--tag "ring": expected key=value');
    expect(() => createTokenRequest({ tag: ["a=1", "a=2"] })).toThrow("--tag a given twice");
  });

  it("checks the fleet and token id before calling the server", () => {
    expect(tokenPath("lab", "0b6f3c2e-8d1a-4c57-9a0e-2f4d6b8c1e3a")).toBe(
      "/v1/fleets/lab/enrollment-tokens/0b6f3c2e-8d1a-4c57-9a0e-2f4d6b8c1e3a",
    );
    expect(() => tokenPath("lab", "0b6f3c2e")).toThrow(/token "0b6f3c2e": expected a token id/);
    expect(() => tokenPath("a/b", "0b6f3c2e-8d1a-4c57-9a0e-2f4d6b8c1e3a")).toThrow(/fleet "a\/b"/);
  });

  it("says what a token can still do, and its uses against the limit", () => {
    expect(tokenState(token(), NOW)).toBe("active");
    expect(tokenState(token({ revokedAt: "2026-11-26T01:00:00.000Z" }), NOW)).toBe("revoked");
    expect(tokenState(token({ expiresAt: "2026-11-26T12:00:00.000Z" }), NOW)).toBe("expired");
    expect(tokenState(token({ expiresAt: "2026-11-26T12:00:01.000Z" }), NOW)).toBe("active");
    expect(tokenState(token({ maxUses: 2, uses: 2 }), NOW)).toBe("used-up");
    expect(formatUses(token({ maxUses: 2, uses: 1 }))).toBe("1/2");
    expect(formatUses(token({ uses: 7 }))).toBe("7");
  });

  it("refuses bad flags with exit code 2 before reaching any server", async () => {
    // No remote is needed: the flags are checked before one is looked up.
    const bad = await cli(["fleet", "token", "create", "lab", "--expires", "soon"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toBe(
      'statecast: --expires "soon": expected an ISO-8601 instant (2026-12-31T00:00:00Z) or a duration (30m, 12h, 7d, 2w)\n',
    );
    const revoke = await cli(["fleet", "token", "revoke", "lab", "nope"]);
    expect(revoke.code).toBe(2);
    expect(revoke.err).toMatch(/^statecast: token "nope": expected a token id/);
    const missing = await cli(["fleet", "token", "ls"]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("missing required argument 'fleet'");
  });
});
