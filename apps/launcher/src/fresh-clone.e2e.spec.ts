import { execFileSync, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readlinkSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "@statecast/infra";
import { FIXTURE_DIR } from "../../../libs/state/src/testing/fixtures.test-helper.js";
import { descendantsOf, isAlive } from "./launcher.test-helper.js";

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));

/** `npm start` as a person runs it in a terminal: its own process group, Ctrl-C to the group. */
function npmStart(cwd: string, env: Record<string, string>) {
  const child = spawn("npm", ["start"], {
    cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let text = "";
  child.stdout.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
  });
  const exit = once(child, "exit").then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  return { child, exit, output: () => text };
}

// A newcomer's first run, as root, in a checkout under a directory closed to other users (the
// usual /root/statecast; here a fresh `mktemp -d`, mode 0700): `npm start` installs, builds and
// runs the demo there; then `npm test`'s unit tier passes there. npm's cache makes `npm ci` cheap.
describe("a fresh clone under a closed directory", () => {
  const parent = mkdtempSync(join(tmpdir(), "statecast-clone-"));
  const checkout = join(parent, "statecast");
  let run: ReturnType<typeof npmStart> | undefined;

  afterAll(async () => {
    if (run && run.child.exitCode === null && run.child.signalCode === null) {
      const group = -(run.child.pid as number);
      const signal = (name: NodeJS.Signals) => {
        try {
          process.kill(group, name);
        } catch {
          // already gone
        }
      };
      signal("SIGINT");
      const killer = setTimeout(() => signal("SIGKILL"), 60_000);
      await run.exit;
      clearTimeout(killer);
    }
    // As root the embedded cluster of a closed checkout lives outside it (see data-dir.ts).
    const link = join(checkout, ".statecast", "postgres");
    if (existsSync(link) && statSync(link).isDirectory()) {
      const target = readlinkSync(link, { encoding: "utf8" });
      if (target.startsWith("/var/lib/statecast/"))
        rmSync(target, { recursive: true, force: true });
    }
    rmSync(parent, { recursive: true, force: true });
  }, 120_000);

  it("runs npm start to a ready demo and stops cleanly on Ctrl-C", async () => {
    expect(statSync(parent).mode & 0o777).toBe(0o700);
    const head = execFileSync("git", ["-C", repoRoot, "rev-parse", "HEAD"], {
      encoding: "utf8",
    }).trim();
    execFileSync("git", ["clone", "--quiet", "--no-checkout", repoRoot, checkout]);
    execFileSync("git", ["-C", checkout, "checkout", "--quiet", "--detach", head]);
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (
        value !== undefined &&
        !/^(STATECAST_|DATABASE_URL|NATS_URL|OTEL_|VITEST|NODE_ENV)/.test(key)
      )
        env[key] = value;
    }
    Object.assign(env, {
      STATECAST_ORCHESTRATOR_PORT: String(await freePort()),
      STATECAST_GATEWAY_PORT: String(await freePort()),
      STATECAST_POSTGRES_PORT: String(await freePort()),
      STATECAST_NATS_PORT: String(await freePort()),
      STATECAST_DEMO_SIM_AGENTS: "3",
      STATECAST_DEMO_LXC_AGENTS: "1",
      // A QEMU board takes minutes of both cores under TCG: demo-board.qemu.spec.ts shows it.
      STATECAST_DEMO_BOARD: "off",
    });
    run = npmStart(checkout, env);
    const deadline = Date.now() + 900_000;
    while (!run.output().includes("Demo fleet ready")) {
      if (run.child.exitCode !== null) throw new Error(`npm start exited:\n${run.output()}`);
      if (Date.now() > deadline) throw new Error(`no "Demo fleet ready":\n${run.output()}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const processes = descendantsOf(run.child.pid as number);
    process.kill(-(run.child.pid as number), "SIGINT"); // what the terminal's Ctrl-C does
    // npm itself ends by the SIGINT it got (a shell shows ^C); the launcher under it exits 0.
    const { code, signal } = await run.exit;
    expect(code === 0 || signal === "SIGINT", `code ${code}, signal ${signal}`).toBe(true);
    expect(run.output()).toContain("[launcher] stopped");
    expect(processes.filter(isAlive)).toEqual([]);
  }, 1_000_000);

  it("passes the unit tier of npm test", () => {
    const unit = spawnSync("npm", ["run", "test:unit"], {
      cwd: checkout,
      // The Pantavisor fixtures sit beside the project's main checkout, not beside this clone.
      env: { ...process.env, STATECAST_FIXTURES: FIXTURE_DIR, NO_COLOR: "1", FORCE_COLOR: "0" },
      encoding: "utf8",
      timeout: 900_000,
    });
    expect(unit.status, `${unit.stdout}\n${unit.stderr}`).toBe(0);
    expect(unit.stdout).toMatch(/Tests\s+\d+ passed \(\d+\)/);
  }, 1_000_000);
});
