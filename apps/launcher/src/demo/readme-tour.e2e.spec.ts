import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "@statecast/infra";
import { type LauncherRun, runLauncher } from "../launcher.test-helper.js";
import { lxcUnavailableReason } from "./lxc-usable.js";
import { outputReaches } from "./output-reaches.test-helper.js";

const repoRoot = fileURLToPath(new URL("../../../..", import.meta.url));
const SIMS = 4;
const LXCS = 3;

/** The `sh` block that follows `heading` in the README, as written. */
function readmeBlock(heading: string): string {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const at = readme.indexOf(heading);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  if (at < 0 || !block?.[1]) throw new Error(`README has no sh block after "${heading}"`);
  return block[1];
}

// One demo (as `npm start` runs it) serves both README sections: the CLI tour, then the authoring
// loop on its real LXC devices in strict mode. The commands run from a directory laid out like the
// repository root (`.statecast/` is the data dir, `npx statecast` finds the built CLI), with only
// the orchestrator's port changed from the README's 8080.
describe("the README against npm start's demo", () => {
  const home = mkdtempSync(join(tmpdir(), "statecast-readme-"));
  chmodSync(home, 0o755);
  const lxcWhyNot = lxcUnavailableReason(process.env);
  let run: LauncherRun;
  let orchestrator: string;

  const sh = (script: string) => {
    const result = spawnSync(
      "sh",
      ["-ec", script.replaceAll("http://127.0.0.1:8080", orchestrator)],
      {
        cwd: home,
        env: { ...process.env, STATECAST_CONFIG: join(home, "cli", "config.json") },
        encoding: "utf8",
        timeout: 300_000,
      },
    );
    const output = `${result.stdout}${result.stderr}`;
    if (result.status !== 0) throw new Error(`exit ${result.status}:\n${output}`);
    return output;
  };
  const api = async <T>(path: string): Promise<T> => {
    const token = readFileSync(join(home, ".statecast", "admin-token"), "utf8").trim();
    const res = await fetch(`${orchestrator}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    mkdirSync(join(home, "node_modules", ".bin"), { recursive: true });
    symlinkSync(
      join(repoRoot, "apps/cli/bin/statecast.js"),
      join(home, "node_modules/.bin/statecast"),
    );
    const port = await freePort();
    orchestrator = `http://127.0.0.1:${port}`;
    run = runLauncher(
      {
        STATECAST_DATA_DIR: join(home, ".statecast"),
        STATECAST_ORCHESTRATOR_PORT: String(port),
        STATECAST_GATEWAY_PORT: String(await freePort()),
        STATECAST_POSTGRES_PORT: String(await freePort()),
        STATECAST_NATS_PORT: String(await freePort()),
        STATECAST_DEMO_SIM_AGENTS: String(SIMS),
        STATECAST_DEMO_LXC_AGENTS: String(LXCS),
        // A QEMU board takes minutes of both cores under TCG: demo-board.qemu.spec.ts shows it.
        STATECAST_DEMO_BOARD: "off",
      },
      { terminal: true },
    ); // as a newcomer runs it: on a terminal, default log level
    await outputReaches(run, "Demo fleet ready", 300_000);
  }, 360_000);

  afterAll(async () => {
    if (run && run.child.exitCode === null) {
      run.ctrlC();
      const killer = setTimeout(() => process.kill(-(run.child.pid as number), "SIGKILL"), 90_000);
      await run.exit;
      clearTimeout(killer);
    }
    rmSync(home, { recursive: true, force: true });
  }, 120_000);

  it("runs the CLI tour as written", () => {
    const output = sh(readmeBlock("## CLI tour"));
    expect(output).toContain("logged in");
    expect(output).toMatch(/demo-sim-001\s+demo\s+approved\s+online\s+demo#1\s+DONE/);
    expect(output).toMatch(/completed\s+demo#1/);
    expect(output).toMatch(/demo-sim-001.*: (updated|succeeded|done)/i);
    expect(output).toContain("DeviceEnrolled");
    expect(output).toMatch(/exported [0-9a-f]{12} to \.\.\/demo\.tgz/);
    expect(output).toMatch(/verified|ok/i);
  });

  it.runIf(!lxcWhyNot)(
    "runs the authoring loop as written: a quoted sh -c image on every real LXC device, in strict mode",
    async () => {
      const output = sh(readmeBlock("### Your first release"));
      expect(output).toContain("posted demo#2");
      const devices = await api<{
        items: { deviceId: string; lastStatus: string; currentRevision: unknown }[];
      }>("/v1/devices?fleet=demo");
      expect(devices.items).toHaveLength(SIMS + LXCS);
      // DONE, or UPDATED: Pantavisor's final success for an update that needed no reboot.
      for (const device of devices.items) {
        expect([device.deviceId, device.lastStatus]).toEqual([
          device.deviceId,
          expect.stringMatching(/^(DONE|UPDATED)$/),
        ]);
        expect(device.currentRevision).toMatchObject({ fleet: "demo", number: 2 });
      }
      // On each LXC device the image's command ran as Docker would have run it.
      for (let i = 1; i <= LXCS; i++) {
        const device = join(home, ".statecast/demo/devices", `demo-lxc-${i}`);
        const found = spawnSync(
          "sh",
          ["-c", `cat $(find ${device} -path '*container-logs/hello*/console.log')`],
          { encoding: "utf8" },
        );
        expect(found.stdout).toContain("hello from app");
      }
    },
    420_000,
  );

  it("showed a short, readable start-up on the terminal, and stops cleanly on Ctrl-C", async () => {
    run.ctrlC();
    expect(await run.exit).toBe(0);
    const output = run.output();
    expect(output).toContain("[launcher] stopped");
    expect(output).toMatch(/\[launcher\] Postgres ready: .+ \(\d+\.\d s\)/);
    expect(output).toMatch(
      /\[launcher\] orchestrator ready: http:\/\/127\.0\.0\.1:\d+ \(\d+\.\d s\)/,
    );
    expect(output).toMatch(/\[demo\] rollout \S+ completed in \d+ s: demo#1 on the fleet/);
    // No JSON log lines and none of Nest's per-route or per-module lines at the default level.
    expect(output).not.toMatch(/^\[(orchestrator|device-gateway)\] \{/m);
    expect(output).not.toMatch(/\{"t":|Mapped \{|dependencies initialized/);
    expect(output).toMatch(
      /\[orchestrator\] \[\d\d:\d\d:\d\d\.\d{3}\] \S*INFO\S*: \S*Migrations: applied/,
    );
  }, 120_000);
});
