import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "@statecast/infra";
import {
  gatewayDrops,
  journaledReports,
  unmatchedReports,
} from "../../../../test/e2e/report-ledger.test-helper.js";
import { descendantsOf, isAlive, type LauncherRun, runLauncher } from "../launcher.test-helper.js";
import { lxcUnavailableReason } from "./lxc-usable.js";
import { outputReaches } from "./output-reaches.test-helper.js";

const repoRoot = fileURLToPath(new URL("../../../..", import.meta.url));
const SIMS = 20;
const LXCS = 2;

/** The CLI hint the demo printed, as shell command lines. */
function cliHint(output: string): { login: string; watch: string; rolloutId: string } {
  const login = /npx statecast login .+/.exec(output)?.[0];
  const watch = /npx statecast rollout watch ([0-9a-f-]+)/.exec(output);
  if (!login || !watch?.[1]) throw new Error(`no CLI hint in:\n${output}`);
  return { login, watch: watch[0], rolloutId: watch[1] };
}

describe("npm start's demo fleet (the built launcher)", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "statecast-demo-"));
  chmodSync(dataDir, 0o755); // the embedded Postgres runs as the postgres user
  const cliConfig = join(dataDir, "cli", "config.json"); // the CLI makes its dir 0700
  const lxcWhyNot = lxcUnavailableReason(process.env);
  const lxcpaths = Array.from({ length: LXCS }, (_, i) =>
    join(dataDir, "data", "demo", "devices", `demo-lxc-${i + 1}`, "lxc"),
  );
  const containers = (lxcpath: string) =>
    execFileSync("lxc-ls", ["--lxcpath", lxcpath], { encoding: "utf8" }).trim();
  let settings: Record<string, string>;
  /** Every launcher started, so a failed test leaves none running. */
  const runs: LauncherRun[] = [];
  const start = (extra: Record<string, string> = {}) => {
    const started = runLauncher({ ...settings, ...extra });
    runs.push(started);
    return started;
  };

  beforeAll(async () => {
    settings = {
      STATECAST_DATA_DIR: join(dataDir, "data"),
      STATECAST_ORCHESTRATOR_PORT: String(await freePort()),
      STATECAST_GATEWAY_PORT: String(await freePort()),
      STATECAST_POSTGRES_PORT: String(await freePort()),
      STATECAST_NATS_PORT: String(await freePort()),
      STATECAST_LOG_LEVEL: "error",
      STATECAST_DEMO_SIM_AGENTS: String(SIMS),
      STATECAST_DEMO_LXC_AGENTS: String(LXCS),
      // A QEMU board takes minutes of both cores under TCG: demo-board.qemu.spec.ts shows it.
      STATECAST_DEMO_BOARD: "off",
    };
  });

  afterAll(async () => {
    for (const left of runs.filter((r) => r.child.exitCode === null)) {
      left.ctrlC();
      const killer = setTimeout(() => process.kill(-(left.child.pid as number), "SIGKILL"), 90_000);
      await left.exit;
      clearTimeout(killer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  const api = async (path: string) => {
    const token = readFileSync(join(dataDir, "data", "admin-token"), "utf8").trim();
    const res = await fetch(`http://127.0.0.1:${settings.STATECAST_ORCHESTRATOR_PORT}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, unknown>;
  };

  /** Runs a printed command line as a user would paste it, from the repository root. */
  const shell = (line: string) =>
    spawnSync("sh", ["-c", line], {
      cwd: repoRoot,
      env: { ...process.env, STATECAST_CONFIG: cliConfig },
      encoding: "utf8",
      timeout: 120_000,
    });

  async function expectCompletedRollout(output: string, revision: number) {
    const { rolloutId } = cliHint(output);
    const view = await api(`/v1/rollouts/${rolloutId}`);
    expect(view).toMatchObject({
      status: "completed",
      revision: { fleet: "demo", number: revision },
    });
    const waves = view.waves as { status: string; size: number }[];
    expect(waves.map((w) => w.status)).toEqual(["passed", "passed", "passed"]);
    const devices = SIMS + (lxcWhyNot ? 0 : LXCS);
    expect(waves.reduce((n, w) => n + w.size, 0)).toBe(devices);
    return rolloutId;
  }

  /**
   * No report lost: the gateway dropped none as malformed or spoofed, and every report each demo
   * agent journaled is exactly one event of its device's history (waiting for the last to land).
   */
  async function expectNoReportLost() {
    const devicesDir = join(dataDir, "data", "demo", "devices");
    let problems: string[] = ["not checked"];
    let journaled = 0;
    for (const deadline = Date.now() + 60_000; problems.length > 0 && Date.now() < deadline; ) {
      const devices = [];
      for (const deviceId of readdirSync(devicesDir)) {
        const history = (await api(`/v1/devices/${deviceId}/history?limit=1000`)) as unknown;
        devices.push({
          deviceId,
          journaled: journaledReports(join(devicesDir, deviceId, "store")),
          events: history as { type: string; data: unknown }[],
        });
      }
      journaled = devices.reduce((n, d) => n + d.journaled.length, 0);
      problems = unmatchedReports(devices);
      if (problems.length > 0) await new Promise((r) => setTimeout(r, 1000));
    }
    expect(problems).toEqual([]);
    expect(journaled).toBeGreaterThanOrEqual(SIMS * 5);
    const drops = await gatewayDrops(`http://127.0.0.1:${settings.STATECAST_GATEWAY_PORT}`);
    expect({ malformed: drops.malformed ?? 0, spoofed: drops.spoofed ?? 0 }).toEqual({
      malformed: 0,
      spoofed: 0,
    });
  }

  async function stopAndExpectNothingLeft(current: LauncherRun) {
    const processes = descendantsOf(current.child.pid as number);
    current.ctrlC();
    expect(await current.exit).toBe(0);
    expect(current.output()).toMatch(/\[demo\] stopping \d+ demo devices/);
    expect(current.output()).toContain("[launcher] stopped");
    expect(processes.filter(isAlive)).toEqual([]);
    if (!lxcWhyNot) for (const lxcpath of lxcpaths) expect(containers(lxcpath)).toBe("");
  }

  it("enrolls the demo devices, rolls a signed revision out to completion, prints a CLI hint that works, and leaves nothing running after Ctrl-C", async () => {
    const run = start();
    await outputReaches(run, "Demo fleet ready", 300_000);
    const output = run.output();
    expect(output).toContain(
      `${SIMS + (lxcWhyNot ? 0 : LXCS)} devices connected (${SIMS + (lxcWhyNot ? 0 : LXCS)} enrolled now`,
    );
    if (lxcWhyNot) expect(output).toContain(`[demo] no LXC demo agents: ${lxcWhyNot}`);
    expect(output).toContain("[demo] posted signed revision demo#1");
    expect(output).toMatch(/\[demo\] rollout \S+ running: wave 1 /);
    expect(output).toMatch(/\[demo\] rollout \S+ completed in \d+ s: demo#1 on the fleet/);
    const orchestrator = `http://127.0.0.1:${settings.STATECAST_ORCHESTRATOR_PORT}`;
    expect(output).toContain(`API docs        ${orchestrator}/docs`);
    expect(output).toContain(`console         ${orchestrator}/console/`);
    expect(output).toContain(`${orchestrator}/metrics`);
    const rolloutId = await expectCompletedRollout(output, 1);
    await expectNoReportLost();
    if (!lxcWhyNot)
      for (const lxcpath of lxcpaths) expect(containers(lxcpath)).toMatch(/^app\.[0-9a-f]+$/);

    const hint = cliHint(output);
    const login = shell(hint.login);
    expect(login.stderr).toBe("");
    expect(login.status).toBe(0);
    expect(login.stdout).toContain("logged in");
    const watch = shell(hint.watch);
    expect(watch.status).toBe(0);
    expect(watch.stdout).toContain(`rollout ${rolloutId}`);
    expect(watch.stdout).toContain("completed");

    await stopAndExpectNothingLeft(run);
  }, 480_000);

  it("on the next start keeps the devices' credentials, posts the next revision and rolls it out", async () => {
    const run = start();
    await outputReaches(run, "Demo fleet ready", 300_000);
    const output = run.output();
    expect(output).toContain("(0 enrolled now");
    expect(output).toContain("[demo] posted signed revision demo#2");
    await expectCompletedRollout(output, 2);
    await expectNoReportLost();
    await stopAndExpectNothingLeft(run);
  }, 420_000);

  it("is off with STATECAST_DEMO=0", async () => {
    const run = start({ STATECAST_DEMO: "0" });
    await run.ready(120_000);
    await new Promise((r) => setTimeout(r, 2000));
    expect(run.output()).not.toContain("[demo]");
    run.ctrlC();
    expect(await run.exit).toBe(0);
  });

  it("refuses a bad demo setting by name", async () => {
    const bad = start({ STATECAST_DEMO: "yes" });
    expect(await bad.exit).toBe(1);
    expect(bad.output()).toContain("STATECAST_DEMO: expected 0 (off) or 1 (on)");
  });
});
