import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateEd25519Key, verifyState } from "@statecast/state";
import { add } from "./add.js";
import { commit } from "./commit.js";
import { aContainer, aRunJson } from "./container.test-helper.js";
import { initWorkdir } from "./init.js";
import type { Workdir } from "./layout.js";
import { readCommitted } from "./meta.js";
import { jwkThumbprint, listSignatures, signWorkdirPart } from "./signing.js";

let wd: Workdir;
const key = generateEd25519Key();
const write = async (path: string, data: string) => {
  await mkdir(join(wd.root, path, ".."), { recursive: true });
  await writeFile(join(wd.root, path), data);
};

beforeEach(async () => {
  wd = await initWorkdir(await mkdtemp(join(tmpdir(), "statecast-sign-")));
  for (const [path, text] of Object.entries(aContainer("web"))) await write(path, text);
  await write("web/src.json", '{"from":"somewhere"}');
  await write("_config/web/etc/motd", "hi\n");
  await add(wd);
  await commit(wd, "web");
});
afterEach(() => rm(wd.root, { recursive: true, force: true }));

describe("signing a working directory", () => {
  it("signs a part with pvr's defaults, and the committed signature verifies", async () => {
    const listed = await signWorkdirPart(wd, { part: "web", privateKeyPem: key.privateKeyPem });
    expect(listed).toMatchObject({
      path: "_sigs/web.json",
      alg: "EdDSA",
      include: ["web/**", "_config/web/**"],
      exclude: ["web/src.json", "_sigs/web.json"],
      status: "untrusted_key",
      covers: [
        "_config/web/etc/motd",
        "web/lxc.container.conf",
        "web/root.squashfs",
        "web/run.json",
      ],
    });
    expect(listed.keyId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await commit(wd, "sign web");
    const report = verifyState(await readCommitted(wd), {
      mode: "strict",
      trusted: [{ pem: key.publicKeyPem }],
    });
    expect(report.signatures.map((s) => s.status)).toEqual(["valid"]);
    // web/src.json is excluded by the signature: accounted for, as in Pantavisor's strict mode.
    expect(report.uncovered).toEqual(["#spec"]);
  });

  it("lists a signature as invalid once a signed file changes, trusted with --trust", async () => {
    await signWorkdirPart(wd, {
      part: "web",
      privateKeyPem: key.privateKeyPem,
      include: ["web/run.json"],
      exclude: [],
    });
    const trusted = [{ pem: key.publicKeyPem }];
    expect((await listSignatures(wd, trusted)).map((s) => s.status)).toEqual(["valid"]);
    await write("web/run.json", aRunJson("web", { evil: true }));
    const [sig] = await listSignatures(wd, trusted);
    expect(sig?.status).toBe("invalid");
    expect(sig?.include).toEqual(["web/run.json"]);
  });

  it("refuses a part with nothing to sign and a key that is not Ed25519", async () => {
    await expect(
      signWorkdirPart(wd, { part: "nothere", privateKeyPem: key.privateKeyPem }),
    ).rejects.toThrow(/no key of the state matches part nothere/);
    await expect(
      signWorkdirPart(wd, {
        part: "web",
        privateKeyPem: "-----BEGIN PRIVATE KEY-----\nxx\n-----END PRIVATE KEY-----\n",
      }),
    ).rejects.toThrow(/not a PEM private key/);
    expect(await readFile(join(wd.root, "web/run.json"), "utf8")).toBe(aRunJson("web"));
  });

  it("computes RFC 7638 thumbprints (the RFC's own example)", () => {
    const jwk = {
      kty: "RSA",
      n: "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
      e: "AQAB",
      alg: "RS256",
      kid: "2011-04-29",
    };
    expect(jwkThumbprint(jwk)).toBe("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    expect(jwkThumbprint({ kty: "oct" })).toBeNull();
  });
});
