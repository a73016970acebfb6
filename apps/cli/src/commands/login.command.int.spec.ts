import { stat } from "node:fs/promises";
import { dirname } from "node:path";
import { freePort } from "@statecast/infra";
import {
  ADMIN_SECRET,
  startTestApp,
  type TestApp,
} from "../../../orchestrator/src/openapi/test-app.test-helper.js";
import { type RemoteCli, remoteCli } from "../remote/remote.test-helper.js";

let app: TestApp;
let cli: RemoteCli;

beforeAll(async () => {
  [app, cli] = await Promise.all([startTestApp(), remoteCli()]);
});
afterAll(async () => {
  await app?.close();
});

async function token(name: string, role: string): Promise<string> {
  const res = await app.call("/v1/tokens", { method: "POST", json: { name, role } });
  return ((await res.json()) as { secret: string }).secret;
}

describe("login, whoami and remotes against a real orchestrator", () => {
  it("says what to do before any login", async () => {
    const none = await cli.sc(["whoami"]);
    expect(none.code).toBe(1);
    expect(none.err).toBe(
      "statecast: no orchestrator configured: run `statecast login URL --token T` (or set STATECAST_URL and STATECAST_TOKEN)\n",
    );
  });

  it("refuses a bad token without storing it", async () => {
    const refused = await cli.sc(["login", app.url, "--token", "not-a-token"]);
    expect(refused).toMatchObject({
      code: 1,
      err: "statecast: token rejected — run `statecast login`\n",
    });
    await expect(stat(cli.configFile)).rejects.toThrow(/ENOENT/);
  });

  it("stores named remotes with mode 0600 in a 0700 directory; whoami per remote", async () => {
    const login = await cli.scJson([
      "login",
      `${app.url}/`,
      "--token",
      ADMIN_SECRET,
      "--name",
      "lab",
    ]);
    expect(login.json).toMatchObject({ remote: "lab", url: app.url, name: "admin", role: "admin" });
    expect((await stat(cli.configFile)).mode & 0o777).toBe(0o600);
    expect((await stat(dirname(cli.configFile))).mode & 0o777).toBe(0o700);

    const viewer = await token("vic", "viewer");
    expect((await cli.sc(["login", app.url, "--token", viewer, "--name", "view"])).out).toBe(
      `logged in to ${app.url} as vic (viewer); remote "view" is current\n`,
    );
    expect((await cli.scJson(["whoami"])).json).toMatchObject({ name: "vic", role: "viewer" });
    expect((await cli.scJson(["whoami", "--remote", "lab"])).json).toMatchObject({
      name: "admin",
      role: "admin",
    });
    const remotes = await cli.sc(["remotes"]);
    expect(remotes.out).toBe(`  lab  ${app.url}\n* view  ${app.url}\n`);
    expect(remotes.out).not.toContain(viewer);

    const unknown = await cli.sc(["whoami", "--remote", "nope"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('no remote named "nope"');
  });

  it("lets STATECAST_URL / STATECAST_TOKEN override the config", async () => {
    const bad = await cli.sc(["whoami"], undefined, { env: { STATECAST_TOKEN: "wrong" } });
    expect(bad).toMatchObject({
      code: 1,
      err: "statecast: token rejected — run `statecast login`\n",
    });
    const port = await freePort();
    const elsewhere = `http://127.0.0.1:${port}`;
    // A stored token is never sent to a URL it was not stored for.
    const tokenless = await cli.sc(["whoami"], undefined, { env: { STATECAST_URL: elsewhere } });
    expect(tokenless.code).toBe(1);
    expect(tokenless.err).toContain(
      `no token for ${elsewhere}: run \`statecast login ${elsewhere} --token T\``,
    );
    const down = await cli.sc(["whoami"], undefined, {
      env: { STATECAST_URL: elsewhere, STATECAST_TOKEN: "t" },
    });
    expect(down.code).toBe(1);
    expect(down.err).toBe(
      `statecast: cannot reach http://127.0.0.1:${port} (connection refused) — is the orchestrator running? check \`statecast login\`\n`,
    );
    const admin = await cli.scJson(["whoami"], undefined);
    expect(admin.json).toMatchObject({ name: "vic" });
  });

  it("takes the token from STATECAST_TOKEN when --token is left out", async () => {
    const viewer = await token("env-vic", "viewer");
    const viaEnv = await cli.sc(["login", app.url, "--name", "env"], undefined, {
      env: { STATECAST_TOKEN: viewer },
    });
    expect(viaEnv.out).toBe(
      `logged in to ${app.url} as env-vic (viewer); remote "env" is current\n`,
    );
    expect((await cli.scJson(["whoami"])).json).toMatchObject({ name: "env-vic" });
    const none = await cli.sc(["login", app.url]);
    expect(none).toMatchObject({
      code: 2,
      err: "statecast: give --token T (or set STATECAST_TOKEN)\n",
    });
  });

  it("rejects a malformed URL as a usage error", async () => {
    const wrong = await cli.sc(["login", "ftp://example", "--token", "x"]);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain("only http:// and https:// orchestrators are supported");
  });
});
