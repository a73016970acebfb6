import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeProtectedHeader, isJsonObject, parseJson } from "@statecast/state";
import { cli, cliJson, fixture } from "./cli.test-helper.js";

async function subCaPem(file: string, sigKey: string, out: string): Promise<string> {
  const state = parseJson(await readFile(file, "utf8"));
  const entry = isJsonObject(state) ? state[sigKey] : undefined;
  if (!isJsonObject(entry) || typeof entry.protected !== "string") throw new Error("no signature");
  const x5c = decodeProtectedHeader(entry.protected).x5c ?? [];
  const der = Buffer.from(x5c.at(-1) ?? "", "base64");
  await writeFile(
    out,
    `-----BEGIN CERTIFICATE-----\n${der.toString("base64")}\n-----END CERTIFICATE-----\n`,
  );
  return out;
}

describe("statecast state verify / sign, keygen (in-process)", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "sc-cli-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("reports a valid but untrusted signature without --trust; --strict makes it exit 1", async () => {
    const file = fixture("bsp_init.json");
    const lenient = await cli(["state", "verify", file]);
    expect(lenient.code).toBe(0);
    expect(lenient.out).toContain(
      "_sigs/bsp.json  ES384  untrusted_key: signature is valid but its key is not trusted",
    );
    const strict = await cliJson(["state", "verify", file, "--strict"]);
    expect(strict.code).toBe(1);
    expect(strict.json).toMatchObject({ ok: false, mode: "strict" });
  });

  it("verifies the fixture signatures against the CA with --trust; _hostconfig is not verified", async () => {
    const file = fixture("initial_state.json");
    const ca = await subCaPem(file, "_sigs/bsp.json", join(dir, "ca.pem"));
    const { code, json } = await cliJson(["state", "verify", file, "--trust", ca]);
    expect(code).toBe(0);
    const statuses = Object.fromEntries(
      (json.signatures as Array<{ key: string; status: string }>).map((s) => [s.key, s.status]),
    );
    expect(statuses).toEqual({
      "_sigs/_hostconfig.json": "covers_nothing",
      "_sigs/awconnect.json": "valid",
      "_sigs/bsp.json": "valid",
      "_sigs/pv-avahi.json": "valid",
      "_sigs/pvr-sdk.json": "valid",
    });
    expect((await cli(["state", "verify", file, "--trust", ca, "--strict"])).code).toBe(1);
  });

  it("exits 1 naming the signature when a signed value changed", async () => {
    const text = await readFile(fixture("os.json"), "utf8");
    const tampered = join(dir, "tampered.json");
    await writeFile(tampered, text.replace('"group": "root"', '"group": "app"'));
    const result = await cli(["state", "verify", tampered]);
    expect(result.code).toBe(1);
    expect(result.out).toContain(
      "_sigs/os.json  RS256  invalid: signature does not match the signed keys",
    );
  });

  it("keygen → sign → verify round trip with the new key trusted", async () => {
    const keys = await cliJson(["keygen", "--out", join(dir, "keys")]);
    expect(keys.code).toBe(0);
    expect(keys.out).not.toContain("PRIVATE KEY");
    expect((await stat(join(dir, "keys", "statecast.key"))).mode & 0o777).toBe(0o600);
    const signedFile = join(dir, "signed.json");
    const sign = await cli([
      "state",
      "sign",
      fixture("os.json"),
      "--key",
      join(dir, "keys/statecast.key"),
      "--part",
      "os",
      "--out",
      signedFile,
    ]);
    expect(sign.code).toBe(0);
    expect(sign.out).toContain("signed part os as _sigs/os.json");
    const verified = await cliJson([
      "state",
      "verify",
      signedFile,
      "--trust",
      join(dir, "keys/statecast.pub"),
    ]);
    expect(verified.code).toBe(0);
    expect(verified.json.signatures).toEqual([
      expect.objectContaining({ key: "_sigs/os.json", alg: "EdDSA", status: "valid" }),
    ]);
  });

  it("refuses unusable input with exit code 2", async () => {
    await writeFile(join(dir, "junk.pem"), "not a key");
    expect(
      (await cli(["state", "verify", fixture("os.json"), "--trust", join(dir, "junk.pem")])).code,
    ).toBe(2);
    expect((await cli(["state", "sign", fixture("os.json"), "--part", "os"])).code).toBe(2);
    expect((await cli(["keygen", "--out", dir, "--name", "../evil"])).code).toBe(2);
    await cli(["keygen", "--out", dir]);
    const key = join(dir, "statecast.key");
    const unwritable = await cli([
      "state",
      "sign",
      fixture("os.json"),
      "--key",
      key,
      "--part",
      "os",
      "--out",
      "/proc/x.json",
    ]);
    expect(unwritable.code).toBe(2);
    expect(unwritable.err).toContain("cannot write /proc/x.json");
    const wrongKey = await cli([
      "state",
      "sign",
      fixture("os.json"),
      "--key",
      join(dir, "junk.pem"),
      "--part",
      "os",
      "--out",
      join(dir, "o.json"),
    ]);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.err).toContain("not a PEM private key");
  });
});
