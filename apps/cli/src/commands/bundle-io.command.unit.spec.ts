import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli, cliJson, fixture } from "./cli.test-helper.js";

let base: string;
beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), "sc-bundle-io-"));
});
afterEach(() => rm(base, { recursive: true, force: true }));

interface Listing {
  signatures: { path: string; status: string; alg: string; keyId: string; include: string[] }[];
}

describe("statecast import / export / sign / sig ls (in-process)", () => {
  it("imports a fixture bundle, lists its real RS256 signature, exports and re-imports it", async () => {
    const imported = await cliJson<{ objects: number }>(
      ["import", fixture("pvwificonnect.tgz"), "wifi"],
      base,
    );
    expect(imported.code).toBe(0);
    expect(imported.json.objects).toBe(3);
    const wd = join(base, "wifi");
    expect((await cli(["status"], wd)).out).toBe("nothing changed since the last commit\n");

    const sigs = await cliJson<Listing>(["sig", "ls"], wd);
    expect(sigs.code).toBe(0);
    expect(sigs.json.signatures).toEqual([
      expect.objectContaining({
        path: "_sigs/pvwificonnect.json",
        alg: "RS256",
        status: "untrusted_key",
      }),
    ]);
    expect(sigs.json.signatures[0]?.keyId).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const exported = await cli(["export", "../copy.tgz"], wd);
    expect(exported.out).toMatch(/exported [0-9a-f]{12} to \.\.\/copy\.tgz: 7 keys, 3 objects/);
    expect((await cli(["import", "copy.tgz"], base)).code).toBe(0);
    expect(await readFile(join(base, "copy/.statecast/json"))).toEqual(
      await readFile(join(wd, ".statecast/json")),
    );
  });

  it("signs a part with a keygen key; sig ls trusts it and catches tampering with exit 1", async () => {
    await cli(["import", fixture("watchdog_pinger.tar"), "wd"], base);
    await cli(["keygen", "--out", "keys"], base);
    const wd = join(base, "wd");
    const part = await cliJson<{ keys: number }>(
      ["export", "--parts", "watchdog_pinger", "../p.tar"],
      wd,
    );
    expect(part.code).toBe(0);
    const signed = await cli(
      ["sign", "--part", "watchdog_pinger", "--key", "../keys/statecast.key"],
      wd,
    );
    expect(signed.code).toBe(0);
    expect(signed.out).toMatch(
      /signed \d+ key\(s\) of part watchdog_pinger into _sigs\/watchdog_pinger.json/,
    );
    expect((await cli(["status"], wd)).out).toBe("A  _sigs/watchdog_pinger.json\n");
    const trusted = await cliJson<Listing>(["sig", "ls", "--trust", "../keys/statecast.pub"], wd);
    expect(trusted.json.signatures.map((s) => s.status)).toEqual(["valid"]);
    expect((await cli(["commit", "-m", "re-sign"], wd)).code).toBe(0);
    const verify = await cli(
      ["state", "verify", ".statecast/json", "--trust", "../keys/statecast.pub"],
      wd,
    );
    expect(verify.code).toBe(0);

    const run = join(wd, "watchdog_pinger/run.json");
    await writeFile(run, (await readFile(run, "utf8")).replace('"watchdog_pinger"', '"evil"'));
    const tampered = await cli(["sig", "ls", "--trust", "../keys/statecast.pub"], wd);
    expect(tampered.code).toBe(1);
    expect(tampered.out).toMatch(/_sigs\/watchdog_pinger.json {2}invalid/);
  });

  it("refuses bad bundles and unknown parts with a clear message", async () => {
    const junk = join(base, "junk.tgz");
    await writeFile(junk, "not a bundle");
    const bad = await cli(["import", junk, "x"], base);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/statecast: .*bundle/);
    await cli(["import", fixture("watchdog_pinger.tar"), "wd"], base);
    const unknown = await cli(["export", "--parts", "nope", "x.tar"], join(base, "wd"));
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/no part "nope"/);
  });
});
