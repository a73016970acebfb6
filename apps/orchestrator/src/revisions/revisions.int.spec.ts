import { createHash } from "node:crypto";
import { generateEd25519Key, type State, signPart } from "@statecast/state";
import { startTestApp, type TestApp } from "../openapi/test-app.test-helper.js";
import { anAppState } from "./app-state.test-helper.js";

const sha = (bytes: Buffer | string) => createHash("sha256").update(bytes).digest("hex");
const conf = Buffer.from("lxc.tty.max = 0\n");
const rootfs = Buffer.from("pretend squashfs image\n".repeat(100));
const release = generateEd25519Key();
const stranger = generateEd25519Key();

function aState(restartPolicy = "container", rootfsSha = sha(rootfs)): State {
  return anAppState(sha(conf), rootfsSha, restartPolicy);
}

function signed(state: State, key = release.privateKeyPem): State {
  return signPart(state, {
    part: "release",
    privateKey: key,
    include: ["**"],
    exclude: ["_sigs/release.json"],
  });
}

describe("revisions over HTTP", () => {
  let app: TestApp;
  const post = (state: unknown, fleet = "main", token?: string) =>
    app.call(`/v1/fleets/${fleet}/revisions`, {
      method: "POST",
      json: { state, message: "test" },
      ...(token ? { token } : {}),
    });

  async function expectRefusedWithoutEvent(res: Promise<Response>, pattern: RegExp) {
    const before = await app.eventCount();
    const response = await res;
    const body = (await response.json()) as { error: string; message: string; details: unknown };
    expect(response.status).toBe(422);
    expect(body.error).toBe("unprocessable");
    expect(`${body.message} ${JSON.stringify(body.details)}`).toMatch(pattern);
    expect(await app.eventCount()).toBe(before);
    return body;
  }

  beforeAll(async () => {
    app = await startTestApp();
    for (const bytes of [conf, rootfs]) {
      const res = await app.call(`/v1/objects/${sha(bytes)}`, {
        method: "PUT",
        body: bytes,
        headers: { "content-type": "application/octet-stream" },
      });
      expect(res.status).toBe(201);
    }
    const policy = await app.call("/v1/fleets/main/trust-policy", {
      method: "PUT",
      json: {
        mode: "strict",
        trusted: [{ name: "release", pem: release.publicKeyPem, keys: ["**"] }],
      },
    });
    expect(policy.status).toBe(200);
  });
  afterAll(async () => {
    await app?.close();
  });

  it("numbers valid revisions per fleet and records who posted them", async () => {
    const first = await post(signed(aState()));
    expect(first.status).toBe(201);
    const one = (await first.json()) as { number: number; digest: string };
    expect(one).toMatchObject({
      fleet: "main",
      number: 1,
      author: "operator:admin",
      message: "test",
    });
    const second = await post(signed(aState("system")));
    expect(await second.json()).toMatchObject({ number: 2 });
    const { rows } = await app.pool.query(
      "SELECT stream_id, data, metadata FROM events WHERE type = 'RevisionPosted' ORDER BY global_position",
    );
    expect(rows.map((r) => r.stream_id)).toEqual(["revision:main:1", "revision:main:2"]);
    expect(rows[0].data).toMatchObject({
      digest: one.digest,
      objects: [sha(conf), sha(rootfs)].sort(),
    });
    expect(rows[0].metadata.actor).toBe("operator:admin");
  });

  it("serves the canonical state whose sha256 is the digest, lists and diffs", async () => {
    const text = await (await app.call("/v1/fleets/main/revisions/1/state")).text();
    const meta = (await (await app.call("/v1/fleets/main/revisions/1")).json()) as {
      digest: string;
      state: State;
    };
    expect(sha(text)).toBe(meta.digest);
    expect(text).not.toMatch(/\s/);
    expect(meta.state["app/root.squashfs"]).toBe(sha(rootfs));
    const list = (await (await app.call("/v1/fleets/main/revisions")).json()) as {
      number: number;
    }[];
    expect(list.map((r) => r.number)).toEqual([1, 2]);
    const diff = await (await app.call("/v1/fleets/main/revisions/1/diff/2")).json();
    expect(diff).toMatchObject({
      keys: { added: [], removed: [], changed: ["_sigs/release.json", "app/run.json"] },
      reboot: true,
    });
    expect((await app.call("/v1/fleets/main/revisions/9")).status).toBe(404);
  });

  it("reports each signature's status under the fleet's current trust policy", async () => {
    const signatures = async () =>
      (await (await app.call("/v1/fleets/main/revisions/1/signatures")).json()) as {
        ok: boolean;
        signatures: { key: string; status: string; trustedBy?: string }[];
        uncovered: string[];
      };
    expect(await signatures()).toMatchObject({
      ok: true,
      mode: "strict",
      signatures: [{ key: "_sigs/release.json", status: "valid", trustedBy: "release" }],
      uncovered: [],
    });
    // The policy, not the posting, decides: trust another key and the same revision fails now.
    const other = generateEd25519Key();
    const trust = (pem: string) =>
      app.call("/v1/fleets/main/trust-policy", {
        method: "PUT",
        json: { mode: "strict", trusted: [{ name: "release", pem, keys: ["**"] }] },
      });
    expect((await trust(other.publicKeyPem)).status).toBe(200);
    try {
      const report = await signatures();
      expect(report.ok).toBe(false);
      expect(report.signatures[0]?.status).toBe("untrusted_key");
    } finally {
      expect((await trust(release.publicKeyPem)).status).toBe(200);
    }
    expect((await app.call("/v1/fleets/main/revisions/9/signatures")).status).toBe(404);
  });

  it("refuses a state naming an object never uploaded, listing it", async () => {
    const missing = sha("never uploaded");
    await expectRefusedWithoutEvent(
      post(signed(aState("container", missing))),
      new RegExp(missing),
    );
  });

  it("refuses a tampered signature, naming it", async () => {
    const state = signed(aState());
    (state["app/run.json"] as Record<string, unknown>).status_goal = "READY";
    await expectRefusedWithoutEvent(post(state), /_sigs\/release\.json.*invalid/);
  });

  it("refuses a signature by an untrusted key under strict, and an unsigned state", async () => {
    await expectRefusedWithoutEvent(
      post(signed(aState(), stranger.privateKeyPem)),
      /untrusted_key/,
    );
    const unsigned = await expectRefusedWithoutEvent(
      post(aState()),
      /not covered by a valid signature/,
    );
    // One line says what to do: which part to sign, with which command.
    expect(unsigned.message).toMatch(
      /— to fix: sign app: statecast sign --part app --key KEY; cover #spec in one signature, e\.g\. statecast sign --part bsp --include 'bsp\/\*\*' --include '#spec' --key KEY; then statecast commit and post again/,
    );
    expect(unsigned.message).not.toContain("\n");
  });

  it("applies strict with no trusted keys to a fleet without a policy", async () => {
    await expectRefusedWithoutEvent(post(signed(aState()), "newfleet"), /untrusted_key/);
  });

  it("refuses an invalid state with every problem named", async () => {
    const body = await expectRefusedWithoutEvent(
      post({ "#spec": "pantavisor-service-system@1", "../evil": sha("x") }),
      /invalid state/,
    );
    expect(JSON.stringify(body.details)).toContain("../evil");
  });

  it("reads states larger than Express's default body limit (refused here for being unsigned, not 413)", async () => {
    const big = { ...aState(), "app/big.json": { lines: "x".repeat(300_000) } };
    await expectRefusedWithoutEvent(post(big), /not covered by a valid signature/);
  });

  it("accepts state given as JSON text, keeping its number lexemes", async () => {
    const text = JSON.stringify(signed(aState()));
    const res = await post(text);
    expect(res.status).toBe(201);
  });

  it("refuses number text a device could not reproduce (1.0, 1e3, -0, above 2^53), naming it", async () => {
    for (const [text, canonical] of [
      ["1.0", "1"],
      ["1e3", "1000"],
      ["-0", "0"],
      ["9007199254740993", "9007199254740992"],
    ]) {
      const state = signed({ ...aState(), "app/limits.json": { n: 7 } } as State);
      const body = await expectRefusedWithoutEvent(
        post(JSON.stringify(state).replace('{"n":7}', `{"n":${text}}`)),
        /invalid state/,
      );
      expect(JSON.stringify(body.details)).toContain(
        `number ${text} does not survive a JSON round trip`,
      );
      expect(JSON.stringify(body.details)).toContain(`write it as ${canonical}`);
    }
  });

  it("checks roles and DTOs without writing", async () => {
    const viewer = (await (
      await app.call("/v1/tokens", { method: "POST", json: { name: "rev-viewer", role: "viewer" } })
    ).json()) as { secret: string };
    const operator = (await (
      await app.call("/v1/tokens", { method: "POST", json: { name: "rev-op", role: "operator" } })
    ).json()) as { secret: string };
    const before = await app.eventCount();
    expect((await post(signed(aState()), "main", viewer.secret)).status).toBe(403);
    const verify = "/v1/fleets/main/revisions/1/signatures";
    expect((await app.call(verify, { token: viewer.secret })).status).toBe(200);
    expect((await app.call(verify, { token: null })).status).toBe(401);
    const asOperator = await app.call("/v1/fleets/main/trust-policy", {
      method: "PUT",
      token: operator.secret,
      json: { mode: "lenient", trusted: [] },
    });
    expect(asOperator.status).toBe(403);
    const noState = await app.call("/v1/fleets/main/revisions", {
      method: "POST",
      json: { message: 1 },
    });
    expect(noState.status).toBe(400);
    const badPem = await app.call("/v1/fleets/main/trust-policy", {
      method: "PUT",
      json: { mode: "strict", trusted: [{ name: "x", pem: "not a pem", keys: ["**"] }] },
    });
    expect(badPem.status).toBe(400);
    expect((await app.call("/v1/fleets/bad:fleet/revisions")).status).toBe(400);
    expect(await app.eventCount()).toBe(before);
  });

  it("lets a lenient policy accept unsigned states while still refusing bad signatures", async () => {
    await app.call("/v1/fleets/lab/trust-policy", {
      method: "PUT",
      json: { mode: "lenient", trusted: [] },
    });
    expect((await post(aState(), "lab")).status).toBe(201);
    const tampered = signed(aState());
    tampered["app/lxc.container.conf"] = sha(rootfs);
    await expectRefusedWithoutEvent(post(tampered, "lab"), /invalid/);
  });
});
