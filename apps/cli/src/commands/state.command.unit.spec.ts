import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli, cliJson, fixture } from "./cli.test-helper.js";

describe("statecast state (in-process)", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "sc-cli-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("validates a fixture (text and --json)", async () => {
    const text = await cli(["state", "validate", fixture("initial_state.json")]);
    expect(text.code).toBe(0);
    expect(text.out).toContain("valid state, 43 keys, 21 objects, 5 signatures");
    const { code, json } = await cliJson(["state", "validate", fixture("vaultwarden.json")]);
    expect(code).toBe(0);
    expect(json).toMatchObject({ valid: true, errors: [], signatures: ["_sigs/vaultwarden.json"] });
  });

  it("lists every issue of an invalid state and exits 1", async () => {
    const file = join(dir, "bad.json");
    await writeFile(
      file,
      JSON.stringify({
        "#spec": "pantavisor-service-system@1",
        "../x": "a",
        "a//b": "b",
        "c/d": 1,
      }),
    );
    const text = await cli(["state", "validate", file]);
    expect(text.code).toBe(1);
    expect(text.out).toContain("invalid state (3 issues)");
    expect(text.out).toContain("../x: unsafe key: contains a '..' segment");
    expect(text.out).toContain("a//b: unsafe key: empty path segment");
    const { code, json } = await cliJson(["state", "validate", file]);
    expect(code).toBe(1);
    expect(json).toMatchObject({ valid: false });
    expect((json.errors as unknown[]).length).toBe(3);
  });

  it("prints canonical JSON and the digest", async () => {
    const canonical = await cli(["state", "canonical", fixture("state_with_spaces.json")]);
    expect(canonical.code).toBe(0);
    expect(canonical.out).toBe(
      `${(await readFile(fixture("state_with_spaces.json"), "utf8")).trim()}\n`,
    );
    const digest = await cli(["state", "digest", fixture("os.json")]);
    expect(digest.out).toMatch(/^[0-9a-f]{64}\n$/);
    const again = await cliJson(["state", "digest", fixture("os.json")]);
    expect(again.json.digest).toBe(digest.out.trim());
    const both = await cliJson(["state", "canonical", fixture("os.json")]);
    expect(both.json.digest).toBe(digest.out.trim());
  });

  it("diffs two states with the reboot verdict", async () => {
    const a = fixture("initial_state.json");
    const text = await cli(["state", "diff", a, fixture("expected/state_after_new_package.json")]);
    expect(text.code).toBe(0);
    expect(text.out).toContain("restart containers: vaultwarden");
    expect(text.out).toContain("+ vaultwarden");
    const { json } = await cliJson([
      "state",
      "diff",
      a,
      fixture("expected/state_after_remove.json"),
    ]);
    expect(json).toMatchObject({ reboot: true, parts: { removed: ["awconnect"] } });
    expect((await cli(["state", "diff", a, a])).out).toContain("no changes");
  });

  it("exits 2 on usage errors", async () => {
    expect((await cli(["state", "diff", "only-one.json"])).code).toBe(2);
    expect((await cli(["state", "bogus"])).code).toBe(2);
    expect((await cli(["nothing"])).code).toBe(2);
    const missing = await cli(["state", "validate", join(dir, "absent.json")]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("cannot read");
    expect((await cli(["--help"])).code).toBe(0);
  });
});
