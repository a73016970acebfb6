import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ADMIN_SECRET,
  startTestApp,
  type TestApp,
} from "../../../orchestrator/src/openapi/test-app.test-helper.js";
import {
  buildBusyboxImage,
  pushImage,
  startTestRegistry,
  type TestRegistry,
} from "../oci/image-fixtures.test-helper.js";
import { type RemoteCli, remoteCli } from "../remote/remote.test-helper.js";

interface Posted {
  fleet: string;
  revision: number;
  digest: string;
  objects: number;
  uploaded: number;
  uploadedBytes: number;
}

let base: string;
let registry: TestRegistry;
let app: TestApp;
let cli: RemoteCli;
let wd: string;

async function uploadedBytes(): Promise<number> {
  const stats = (await (await app.call("/v1/objects/stats")).json()) as { uploadedBytes: number };
  return stats.uploadedBytes;
}

async function committed(dir: string): Promise<Record<string, string>> {
  return JSON.parse(await readFile(join(dir, ".statecast/json"), "utf8")) as Record<string, string>;
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "sc-post-int-"));
  [registry, app, cli] = await Promise.all([startTestRegistry(base), startTestApp(), remoteCli()]);
  for (const [tag, marker] of [
    ["busy1", "busy v1\n"],
    ["busy2", "busy v2\n"],
    ["web1", "web\n"],
  ] as const) {
    const built = await buildBusyboxImage(base, tag, {
      cmd: ["/bin/sh", "-c", "sleep 1000"],
      marker,
    });
    await pushImage(built.ref, `docker://${registry.host}/demo/app:${tag}`);
  }
  expect((await cli.sc(["login", app.url, "--token", ADMIN_SECRET, "--name", "lab"])).code).toBe(0);
  expect((await cli.sc(["keygen", "--out", "keys"], base)).code).toBe(0);
  const policy = await app.call("/v1/fleets/lab/trust-policy", {
    method: "PUT",
    json: {
      mode: "strict",
      trusted: [
        {
          name: "release",
          pem: await readFile(join(base, "keys/statecast.pub"), "utf8"),
          keys: ["**"],
        },
      ],
    },
  });
  expect(policy.status).toBe(200);
  expect((await cli.sc(["init", "device", "--fleet", "lab"], base)).code).toBe(0);
  wd = join(base, "device");
});

afterAll(async () => {
  await registry?.stop();
  await app?.close();
  if (base) await rm(base, { recursive: true, force: true });
});

async function addSigned(name: string, tag: string): Promise<void> {
  const from = `docker://${registry.host}/demo/app:${tag}`;
  expect((await cli.sc(["app", "add", name, "--from", from], wd)).code).toBe(0);
  await sign(wd, name, "../keys/statecast.key");
}

/** Strict policy: every key covered, so the part's src.json too, and #spec by its own signature. */
async function sign(dir: string, part: string, key: string): Promise<void> {
  const include = part === "spec" ? "#spec" : `${part}/**`;
  const signed = await cli.sc(["sign", "--part", part, "--key", key, "--include", include], dir);
  expect(signed.code, signed.err).toBe(0);
}

describe("post and clone against a real orchestrator", () => {
  it("uploads every object first, only one container's new objects next, nothing when unchanged", async () => {
    await addSigned("busy", "busy1");
    await addSigned("web", "web1");
    await sign(wd, "spec", "../keys/statecast.key");
    expect((await cli.sc(["commit", "-m", "busy and web"], wd)).code).toBe(0);

    const before1 = await uploadedBytes();
    const first = await cli.scJson<Posted>(["post"], wd);
    expect(first.code, first.err).toBe(0);
    expect(first.json).toMatchObject({ fleet: "lab", revision: 1, uploaded: first.json.objects });
    // root.squashfs and lxc.container.conf of each container (JSON files live in the state).
    expect(first.json.uploaded).toBe(4);
    expect((await uploadedBytes()) - before1).toBe(first.json.uploadedBytes);
    // Non-TTY: one plain progress line per uploaded object on stderr.
    expect(first.err.trim().split("\n")).toHaveLength(first.json.uploaded);
    expect(first.err).toMatch(/^upload [0-9a-f]{12} \(.+\) \[1\/\d+\]$/m);

    // Posted under a strict policy: the server verified the signatures; its state is ours.
    const rev1 = await app.call("/v1/fleets/lab/revisions/1/state");
    expect(await rev1.text()).toBe(await readFile(join(wd, ".statecast/json"), "utf8"));

    const v1 = await committed(wd);
    await addSigned("busy", "busy2");
    expect((await cli.sc(["commit", "-m", "busy v2"], wd)).code).toBe(0);
    const v2 = await committed(wd);
    const oldShas = new Set(Object.values(v1));
    const fresh = [
      ...new Set(
        Object.entries(v2)
          .filter(
            ([k, v]) => !k.startsWith("_sigs/") && /^[0-9a-f]{64}$/.test(v) && !oldShas.has(v),
          )
          .map(([, v]) => v),
      ),
    ];
    expect(fresh.length).toBeGreaterThan(0);
    const freshKeys = Object.entries(v2)
      .filter(([, v]) => fresh.includes(v))
      .map(([k]) => k);
    expect(freshKeys.every((k) => k.startsWith("busy/"))).toBe(true);
    const freshBytes = (
      await Promise.all(
        fresh.map(async (sha) => (await readFile(join(wd, ".statecast/objects", sha))).length),
      )
    ).reduce((a, b) => a + b, 0);

    const before2 = await uploadedBytes();
    const second = await cli.scJson<Posted>(["post", "-m", "busy to v2"], wd);
    expect(second.code, second.err).toBe(0);
    expect(second.json).toMatchObject({
      revision: 2,
      uploaded: fresh.length,
      uploadedBytes: freshBytes,
    });
    expect((await uploadedBytes()) - before2).toBe(freshBytes);

    const before3 = await uploadedBytes();
    const third = await cli.sc(["post"], wd);
    expect(third.code, third.err).toBe(0);
    expect(third.out).toBe(
      "uploaded 0 of 10 object(s) (0 B)\nposted lab#3\n".replace("10", String(second.json.objects)),
    );
    expect(third.err).toBe("");
    expect(await uploadedBytes()).toBe(before3);
  });

  it("refuses to post uncommitted changes, naming them", async () => {
    await writeFile(join(wd, "busy/run.json"), "{}\n");
    const refused = await cli.sc(["post"], wd);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain("uncommitted changes in busy/run.json");
    expect((await cli.sc(["checkout", "--force"], wd)).code).toBe(0);
  });

  it("shows a 422 readably: the trust policy's verify report, key by key", async () => {
    expect((await cli.sc(["keygen", "--out", "rogue"], base)).code).toBe(0);
    const other = await mkdtemp(join(base, "rogue-wd-"));
    expect((await cli.sc(["clone", "lab@2", other])).code).toBe(0);
    // Re-signed by a key the fleet does not trust.
    await sign(other, "web", "../rogue/statecast.key");
    expect((await cli.sc(["commit", "-m", "rogue"], other)).code).toBe(0);
    const refused = await cli.sc(["post"], other);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(
      /POST \/v1\/fleets\/lab\/revisions: 422 state refused by the fleet's strict trust policy/,
    );
    expect(refused.err).toMatch(/^ {2}state\._sigs\/web\.json: untrusted_key/m);
  });

  it("clones a revision byte for byte, and the latest by default", async () => {
    const copy = join(base, "copy");
    const cloned = await cli.scJson<{ revision: number; files: number }>(["clone", "lab@2", copy]);
    expect(cloned.code, cloned.err).toBe(0);
    expect(cloned.json.revision).toBe(2);
    expect(await readFile(join(copy, ".statecast/json"), "utf8")).toBe(
      await (await app.call("/v1/fleets/lab/revisions/2/state")).text(),
    );
    for (const file of ["busy/root.squashfs", "web/root.squashfs", "busy/run.json"])
      expect((await readFile(join(copy, file))).equals(await readFile(join(wd, file)))).toBe(true);
    expect((await cli.sc(["status"], copy)).out).toBe("nothing changed since the last commit\n");
    expect(JSON.parse(await readFile(join(copy, ".statecast/config.json"), "utf8"))).toMatchObject({
      fleet: "lab",
      revision: 2,
      remote: app.url,
    });

    const latest = await cli.scJson<{ revision: number }>(["clone", "lab", join(base, "latest")]);
    expect(latest.json.revision).toBe(3);
    const taken = await cli.sc(["clone", "lab", copy]);
    expect(taken.code).toBe(2);
    expect(taken.err).toContain("is not empty");
    const none = await cli.sc(["clone", "nosuchfleet", join(base, "none")]);
    expect(none.code).toBe(1);
    expect(none.err).toContain("fleet nosuchfleet has no revisions yet");
  });
});
