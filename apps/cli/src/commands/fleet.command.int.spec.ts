import { enrollmentTokenStreamId } from "@statecast/events";
import { fromDevice } from "../../../orchestrator/src/devices/device-history.test-helper.js";
import {
  ADMIN_SECRET,
  startTestApp,
  type TestApp,
} from "../../../orchestrator/src/openapi/test-app.test-helper.js";
import type {
  CreatedEnrollmentTokenView,
  EnrollmentTokenView,
} from "../remote/enrollment-tokens.js";
import { type RemoteCli, remoteCli } from "../remote/remote.test-helper.js";

let app: TestApp;
let cli: RemoteCli;
let viewer: string;

beforeAll(async () => {
  [app, cli] = await Promise.all([startTestApp(), remoteCli()]);
  expect((await cli.sc(["login", app.url, "--token", ADMIN_SECRET])).code).toBe(0);
  const res = await app.call("/v1/tokens", {
    method: "POST",
    json: { name: "vic", role: "viewer" },
  });
  viewer = ((await res.json()) as { secret: string }).secret;
});
afterAll(async () => {
  await app?.close();
});

/** What the gateway appends when a device enrolls with the token (here through the app's store). */
async function useToken(tokenId: string, deviceId: string): Promise<void> {
  const streamId = enrollmentTokenStreamId(tokenId);
  const { version } = await app.store.readStream(streamId);
  await app.store.append(
    streamId,
    [
      {
        type: "EnrollmentTokenUsed",
        data: { deviceId, publicKey: `U${"A".repeat(55)}` },
        metadata: fromDevice(deviceId),
      },
    ],
    { expectedVersion: version },
  );
}

describe("fleet token create / ls / revoke against a real orchestrator", () => {
  it("creates a token printing its secret once; ls shows its uses and never a secret; revoke; ls shows it revoked", async () => {
    const before = Date.now();
    const created = await cli.sc([
      "fleet",
      "token",
      "create",
      "lab",
      "--expires",
      "7d",
      "--max-uses",
      "2",
      "--tag",
      "ring=canary",
      "--tag",
      "site=berlin",
    ]);
    expect(created.code, created.err).toBe(0);
    const lines = created.out.trimEnd().split("\n");
    const tokenId = /^created enrollment token (\S+) for fleet lab$/.exec(lines[0] ?? "")?.[1];
    expect(tokenId).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines[2]).toBe("  max uses  2");
    expect(lines[3]).toBe("  tags      ring=canary,site=berlin");
    expect(lines[4]).toMatch(/^secret \(shown only now/);
    const secret = lines[5] ?? "";
    expect(secret.length).toBeGreaterThan(40);
    expect(lines).toHaveLength(6);
    // --expires 7d was sent as an instant 7 days from now.
    const expires = Date.parse(/^ {2}expires {3}(\S+)$/.exec(lines[1] ?? "")?.[1] ?? "");
    expect(expires - before).toBeGreaterThanOrEqual(7 * 86_400_000 - 1_000);
    expect(expires - Date.now()).toBeLessThanOrEqual(7 * 86_400_000);

    // The JSON form of create carries the secret, for scripts.
    const scripted = await cli.scJson<CreatedEnrollmentTokenView>([
      "fleet",
      "token",
      "create",
      "lab",
    ]);
    expect(scripted.code).toBe(0);
    expect(scripted.json).toMatchObject({
      fleet: "lab",
      expiresAt: null,
      maxUses: null,
      uses: 0,
      tags: {},
      createdBy: "operator:admin",
      revokedAt: null,
    });
    expect(scripted.json.secret).toEqual(expect.any(String));

    const listed = await cli.sc(["fleet", "token", "ls", "lab"]);
    expect(listed.code, listed.err).toBe(0);
    const rows = listed.out.trimEnd().split("\n");
    expect(rows[0]).toMatch(/^TOKEN\s+STATE\s+USES\s+EXPIRES\s+CREATED BY\s+TAGS$/);
    expect(rows.slice(1).map((r) => r.split(/\s+/).slice(0, 3))).toEqual([
      [tokenId, "active", "0/2"],
      [scripted.json.tokenId, "active", "0"],
    ]);
    expect(rows[2]).toMatch(/\s+never\s+operator:admin\s+-$/);
    expect(listed.out).not.toContain(secret);
    const listedJson = await cli.scJson<{ tokens: EnrollmentTokenView[] }>([
      "fleet",
      "token",
      "ls",
      "lab",
    ]);
    expect(listedJson.json.tokens.map((t) => [t.tokenId, t.uses])).toEqual([
      [tokenId, 0],
      [scripted.json.tokenId, 0],
    ]);
    expect(listedJson.out).not.toContain(secret);
    expect(listedJson.out).not.toContain(scripted.json.secret);
    expect(listedJson.out).not.toMatch(/secret/i);

    // Two devices enroll with it (what the gateway appends): used up.
    await useToken(tokenId ?? "", "dev-1");
    await useToken(tokenId ?? "", "dev-2");
    const usedUp = await cli.sc(["fleet", "token", "ls", "lab"]);
    expect(usedUp.out).toMatch(new RegExp(`^${tokenId}\\s+used-up\\s+2/2\\s`, "m"));

    const revoked = await cli.sc([
      "fleet",
      "token",
      "revoke",
      "lab",
      tokenId ?? "",
      "--reason",
      "leaked in a ticket",
    ]);
    expect(revoked.code, revoked.err).toBe(0);
    expect(revoked.out).toBe(
      `enrollment token ${tokenId}: revoked after 2 use(s); it enrolls no more devices\n`,
    );
    const after = await cli.scJson<{ tokens: EnrollmentTokenView[] }>([
      "fleet",
      "token",
      "ls",
      "lab",
    ]);
    const gone = after.json.tokens.find((t) => t.tokenId === tokenId);
    expect(gone?.revokedAt).toEqual(expect.any(String));
    expect(gone?.uses).toBe(2);
    const table = await cli.sc(["fleet", "token", "ls", "lab"]);
    expect(table.out).toMatch(new RegExp(`^${tokenId}\\s+revoked\\s+2/2\\s`, "m"));
    expect(table.out).toMatch(new RegExp(`^${scripted.json.tokenId}\\s+active\\s+0\\s`, "m"));

    // The audit trail has the reason, and the revocation's actor.
    const { events } = await app.store.readStream(enrollmentTokenStreamId(tokenId ?? ""));
    expect(events.map((e) => e.type)).toEqual([
      "EnrollmentTokenCreated",
      "EnrollmentTokenUsed",
      "EnrollmentTokenUsed",
      "EnrollmentTokenRevoked",
    ]);
    expect(events[3]?.data).toEqual({ reason: "leaked in a ticket" });
    expect(events[3]?.metadata.actor).toBe("operator:admin");

    // Twice: 409, exit 1. Another fleet's token: 404, exit 1.
    const again = await cli.sc(["fleet", "token", "revoke", "lab", tokenId ?? ""]);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/: 409 enrollment token \S+ is already revoked\n$/);
    const elsewhere = await cli.sc(["fleet", "token", "revoke", "other", scripted.json.tokenId]);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.err).toMatch(/: 404 enrollment token \S+ not found in fleet other\n$/);
    expect((await cli.sc(["fleet", "token", "ls", "other"])).out).toBe(
      "no enrollment tokens for fleet other\n",
    );
  });

  it("a viewer may list but not create or revoke: a clear message, exit 1, nothing written", async () => {
    const asViewer = { env: { STATECAST_TOKEN: viewer } };
    const events = await app.eventCount();
    const create = await cli.sc(["fleet", "token", "create", "lab"], undefined, asViewer);
    expect(create.code).toBe(1);
    expect(create.out).toBe("");
    expect(create.err).toBe(
      'statecast: not allowed: role "viewer" is too weak: this needs "operator"\n',
    );
    const [first] = (
      await cli.scJson<{ tokens: EnrollmentTokenView[] }>(["fleet", "token", "ls", "lab"])
    ).json.tokens;
    const revoke = await cli.sc(
      ["fleet", "token", "revoke", "lab", first?.tokenId ?? ""],
      undefined,
      asViewer,
    );
    expect(revoke.code).toBe(1);
    expect(revoke.err).toBe(
      'statecast: not allowed: role "viewer" is too weak: this needs "operator"\n',
    );
    expect(await app.eventCount()).toBe(events);
    const listed = await cli.sc(["fleet", "token", "ls", "lab"], undefined, asViewer);
    expect(listed.code, listed.err).toBe(0);
    expect(listed.out.split("\n")[0]).toMatch(/^TOKEN\s+STATE/);
  });

  it("the server's refusal of a past expiry is shown with exit 1; a bad flag is exit 2", async () => {
    const past = await cli.sc([
      "fleet",
      "token",
      "create",
      "lab",
      "--expires",
      "2020-01-01T00:00:00Z",
    ]);
    expect(past.code).toBe(1);
    expect(past.err).toContain("expiresAt must be in the future");
    const bad = await cli.sc(["fleet", "token", "create", "lab", "--max-uses", "0"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toBe('statecast: --max-uses "0": expected a whole number 1-1000000\n');
  });
});
