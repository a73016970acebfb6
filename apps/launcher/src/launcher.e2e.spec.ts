import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createUser } from "@nats-io/nkeys";
import { connect } from "@nats-io/transport-node";
import { freePort } from "@statecast/infra";
import {
  credsText,
  deviceConnectionOptions,
  enrollmentConnectionOptions,
  tlsConnectionOptions,
} from "@statecast/nats-auth";
import pg from "pg";
import { descendantsOf, isAlive, type LauncherRun, runLauncher } from "./launcher.test-helper.js";

describe("npm start (the built launcher)", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "statecast-launcher-"));
  let settings: Record<string, string>;
  let run: LauncherRun | undefined;
  let firstToken = "";

  beforeAll(async () => {
    settings = {
      STATECAST_DATA_DIR: dataDir,
      STATECAST_ORCHESTRATOR_PORT: String(await freePort()),
      STATECAST_GATEWAY_PORT: String(await freePort()),
      STATECAST_POSTGRES_PORT: String(await freePort()),
      STATECAST_NATS_PORT: String(await freePort()),
      STATECAST_LOG_LEVEL: "warn",
      // These tests are about the launcher itself; the demo fleet has its own.
      STATECAST_DEMO: "0",
    };
  });

  afterAll(async () => {
    if (run && run.child.exitCode === null) {
      run.child.kill("SIGINT");
      await run.exit;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  const databaseUrl = () =>
    `postgres://postgres:statecast@127.0.0.1:${settings.STATECAST_POSTGRES_PORT}/statecast`;

  async function expectReady() {
    for (const port of [settings.STATECAST_ORCHESTRATOR_PORT, settings.STATECAST_GATEWAY_PORT]) {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
      expect(res.status).toBe(200);
    }
  }

  async function stopWithCtrlC(current: LauncherRun) {
    const processes = descendantsOf(current.child.pid as number);
    // postgres (and its workers), nats-server, orchestrator, gateway
    expect(processes.length).toBeGreaterThanOrEqual(4);
    current.ctrlC();
    expect(await current.exit).toBe(0);
    const output = current.output();
    expect(output).toContain("[launcher] stopped");
    // The services stopped before Postgres did: none of them lost its connections to a shutdown.
    expect(output).toContain("orchestrator: SIGTERM received");
    expect(output).not.toContain("terminating connection due to administrator command");
    expect(processes.filter(isAlive)).toEqual([]);
  }

  async function query<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
    const client = new pg.Client({ connectionString: databaseUrl() });
    await client.connect();
    try {
      return (await client.query<T>(sql)).rows;
    } finally {
      await client.end();
    }
  }

  /**
   * The embedded nats-server runs on the generated operator config, TLS only: without the CA the
   * launcher made no client gets through the handshake, and with it none without creds.
   */
  async function expectGeneratedNatsAuth() {
    const servers = `tls://127.0.0.1:${settings.STATECAST_NATS_PORT}`;
    await expect(connect({ servers, reconnect: false })).rejects.toThrow(/certificate/i);
    await expect(connect({ servers, reconnect: false, ...pinnedCa() })).rejects.toThrow(
      /authorization/i,
    );
    expect(run?.output()).toContain(`--nats-ca ${join(dataDir, "nats-tls", "ca.pem")}`);
    const authDir = join(dataDir, "nats-auth");
    expect(statSync(authDir).mode & 0o777).toBe(0o700);
    for (const file of ["operator.nk", "orchestrator.creds"]) {
      expect(statSync(join(authDir, file)).mode & 0o777).toBe(0o600);
    }
    // The gateway's own directory: its signing keys and creds, never the operator root.
    const gatewayDir = join(dataDir, "nats-auth-gateway");
    expect(statSync(gatewayDir).mode & 0o777).toBe(0o700);
    for (const file of ["devices-signing.nk", "operator-signing.nk", "services.creds"]) {
      expect(statSync(join(gatewayDir, file)).mode & 0o777).toBe(0o600);
    }
    expect(existsSync(join(gatewayDir, "operator.nk"))).toBe(false);
    const seed = (await readFile(join(authDir, "operator.nk"), "utf8")).trim();
    expect(run?.output()).not.toContain(seed);
  }

  const pinnedCa = () => tlsConnectionOptions(join(dataDir, "nats-tls", "ca.pem"));

  /**
   * What the summary points a device at (enrollment creds + the demo fleet's token) enrolls a
   * device through the running gateway, which can then connect as itself.
   */
  async function expectDeviceEnrollment(deviceId: string) {
    const dir = join(dataDir, "enrollment");
    const credsFile = join(dir, "enrollment.creds");
    const tokenFile = join(dir, "demo.token");
    for (const file of [credsFile, tokenFile]) expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(run?.output()).toContain(`--enrollment-creds ${credsFile}`);
    const token = (await readFile(tokenFile, "utf8")).trim();
    expect(run?.output()).not.toContain(token);
    const servers = `tls://127.0.0.1:${settings.STATECAST_NATS_PORT}`;
    const enrolling = await connect({
      ...pinnedCa(),
      servers,
      reconnect: false,
      ...enrollmentConnectionOptions(await readFile(credsFile, "utf8")),
    });
    const key = createUser();
    const hello = {
      deviceId,
      publicKey: key.getPublicKey(),
      fleet: "demo",
      enrollmentToken: token,
    };
    const reply = (
      await enrolling.request(`sc.dev.${deviceId}.hello`, JSON.stringify(hello), {
        timeout: 10_000,
      })
    ).json<{ status: string; jwt?: string; reason?: string }>();
    await enrolling.close();
    expect(reply).toMatchObject({ status: "enrolled" });
    const device = await connect({
      ...pinnedCa(),
      servers,
      reconnect: false,
      ...deviceConnectionOptions(credsText(reply.jwt ?? "", key), deviceId),
    });
    await device.flush();
    await device.close();
    // The orchestrator sees it approved (registry projection), and the token's use.
    const api = async (path: string) => {
      const admin = (await readFile(join(dataDir, "admin-token"), "utf8")).trim();
      const url = `http://127.0.0.1:${settings.STATECAST_ORCHESTRATOR_PORT}${path}`;
      return (await fetch(url, { headers: { authorization: `Bearer ${admin}` } })).json();
    };
    for (let tries = 0; ; tries++) {
      const view = (await api(`/v1/devices/${deviceId}`)) as { approval?: string };
      if (view.approval === "approved") break;
      if (tries > 50) throw new Error(`device ${deviceId} not approved: ${JSON.stringify(view)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const tokens = (await api("/v1/fleets/demo/enrollment-tokens")) as { uses: number }[];
    expect(tokens.reduce((n, t) => n + t.uses, 0)).toBeGreaterThanOrEqual(1);
    return token;
  }

  it("starts Postgres, NATS and both services, then stops them all on Ctrl-C", async () => {
    run = runLauncher(settings);
    await run.ready(90_000);
    await expectReady();
    expect(run.output()).toContain("(generated now)");
    const tokenFile = join(dataDir, "admin-token");
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(run.output()).not.toContain((await readFile(tokenFile, "utf8")).trim());
    // The orchestrator migrated the database before it became ready.
    expect(await query("SELECT to_regclass('events')::text AS t")).toEqual([{ t: "events" }]);
    await query("CREATE TABLE e2e_marker (note text); INSERT INTO e2e_marker VALUES ('first run')");
    await expectGeneratedNatsAuth();
    firstToken = await expectDeviceEnrollment("e2e-dev-1");
    await stopWithCtrlC(run);
  });

  it("finds the same data and admin token on the next start", async () => {
    const token = await readFile(join(dataDir, "admin-token"), "utf8");
    const operatorJwt = await readFile(join(dataDir, "nats-auth", "operator.jwt"), "utf8");
    run = runLauncher(settings);
    await run.ready(90_000);
    await expectReady();
    expect(run.output()).not.toContain("(generated now)");
    expect(await readFile(join(dataDir, "admin-token"), "utf8")).toBe(token);
    expect(await query("SELECT note FROM e2e_marker")).toEqual([{ note: "first run" }]);
    // The operator setup is kept: the same operator key on the second start.
    expect(await readFile(join(dataDir, "nats-auth", "operator.jwt"), "utf8")).toBe(operatorJwt);
    await expectGeneratedNatsAuth();
    // The demo token is kept across starts.
    expect(await expectDeviceEnrollment("e2e-dev-2")).toBe(firstToken);
    await stopWithCtrlC(run);
  });

  it("stops everything it started when the npm start process itself is killed (SIGKILL)", async () => {
    run = runLauncher(settings);
    await run.ready(90_000);
    const processes = descendantsOf(run.child.pid as number);
    expect(processes.length).toBeGreaterThanOrEqual(5); // run.js, postgres, nats-server, services
    run.child.kill("SIGKILL");
    await run.exit;
    const deadline = Date.now() + 60_000;
    while (processes.some(isAlive) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(processes.filter(isAlive)).toEqual([]);
    expect(run.output()).toContain("the npm start process is gone");
  });

  it("refuses a bad setting by name before starting anything", async () => {
    const bad = runLauncher({ ...settings, STATECAST_NATS_PORT: "abc" });
    expect(await bad.exit).toBe(1);
    expect(bad.output()).toContain(
      'STATECAST_NATS_PORT: expected a port number 1-65535, got "abc"',
    );
  });
});
