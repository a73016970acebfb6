import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli, cliJson, fixture } from "./cli.test-helper.js";

describe("statecast bundle (in-process)", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "sc-cli-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it.each(["pvwificonnect.tgz", "watchdog_pinger.tar"])(
    "verifies and inspects %s",
    async (name) => {
      const verify = await cli(["bundle", "verify", fixture(name)]);
      expect(verify.code).toBe(0);
      expect(verify.out).toContain("3 objects verified by sha256");
      const inspect = await cliJson(["bundle", "inspect", fixture(name)]);
      expect(inspect.code).toBe(0);
      expect(inspect.json.objects).toHaveLength(3);
      expect(inspect.json.missing).toEqual([]);
      expect((inspect.json.state as Record<string, unknown>)["#spec"]).toBe(
        "pantavisor-service-system@1",
      );
      const text = await cli(["bundle", "inspect", fixture(name)]);
      expect(text.out).toMatch(/objects:\n {4}[0-9a-f]{64} {2}\d+ bytes/);
    },
  );

  it("exits 1 naming the object whose byte was altered", async () => {
    const bytes = Buffer.from(await readFile(fixture("watchdog_pinger.tar")));
    const sha = "d5b764cc7c7391e5a505d4b4964ec402ac417e58ee5b538105b960a462f8b911";
    const header = bytes.indexOf(`objects/${sha}`);
    const dataAt = header + 512 + 10; // inside that member's first data block
    bytes[dataAt] = (bytes[dataAt] ?? 0) ^ 0xff;
    const file = join(dir, "altered.tar");
    await writeFile(file, bytes);
    const result = await cli(["bundle", "verify", file]);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`object ${sha}: content hashes to`);
  });

  it("exits 2 for a missing file and 1 for garbage", async () => {
    expect((await cli(["bundle", "verify", join(dir, "none.tar")])).code).toBe(2);
    await writeFile(join(dir, "junk.tar"), "junk");
    const junk = await cli(["bundle", "inspect", join(dir, "junk.tar")]);
    expect(junk.code).toBe(1);
    expect(junk.err).toMatch(/statecast: /);
  });
});
