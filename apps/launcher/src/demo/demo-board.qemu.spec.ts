import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readGrubEnv } from "@statecast/board";
import { freePort } from "@statecast/infra";
import { descendantsOf, isAlive, type LauncherRun, runLauncher } from "../launcher.test-helper.js";
import { lxcUnavailableReason } from "./lxc-usable.js";
import { outputReaches } from "./output-reaches.test-helper.js";

const SIMS = 2;
const LXCS = 1;
const BOARD = "demo-board-1";

/**
 * `npm start` (the built launcher) with the QEMU board on, as a newcomer gets it: the board is
 * built from a factory revision, boots in the background while the other devices finish the
 * demo's rollout, enrolls, and then reboots into the demo revision's BSP in a rollout of its own.
 */
describe("npm start's demo fleet with its QEMU board", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "statecast-demo-board-"));
  chmodSync(dataDir, 0o755); // the embedded Postgres runs as the postgres user
  const boardDir = join(dataDir, "data", "demo", "board");
  const lxcWhyNot = lxcUnavailableReason(process.env);
  let run: LauncherRun | undefined;
  let settings: Record<string, string>;
  let orchestrator = "";
  const serialLog = join(boardDir, "run", "serial.log");

  beforeAll(async () => {
    const port = await freePort();
    orchestrator = `http://127.0.0.1:${port}`;
    settings = {
      STATECAST_DATA_DIR: join(dataDir, "data"),
      STATECAST_ORCHESTRATOR_PORT: String(port),
      STATECAST_GATEWAY_PORT: String(await freePort()),
      STATECAST_POSTGRES_PORT: String(await freePort()),
      STATECAST_NATS_PORT: String(await freePort()),
      STATECAST_LOG_LEVEL: "error",
      STATECAST_DEMO_SIM_AGENTS: String(SIMS),
      STATECAST_DEMO_LXC_AGENTS: String(LXCS),
    };
  });

  afterAll(async () => {
    if (run && run.child.exitCode === null) {
      run.ctrlC();
      const killer = setTimeout(() => process.kill(-(run?.child.pid as number), "SIGKILL"), 90_000);
      await run.exit;
      clearTimeout(killer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  const api = async (path: string) => {
    const token = readFileSync(join(dataDir, "data", "admin-token"), "utf8").trim();
    const res = await fetch(`${orchestrator}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, unknown>;
  };

  it("boots the board beside the others, enrolls it and moves it onto the demo revision's kernel command line", async () => {
    run = runLauncher(settings);
    // The first start makes the BSP (a kernel download and an initramfs) before it posts.
    await outputReaches(run, "Demo fleet ready", 600_000);
    const ready = run.output();
    expect(ready).not.toContain("no QEMU board");
    expect(ready).toContain("[demo] posted demo#1, the QEMU board's factory revision");
    expect(ready).toContain(
      "[demo] posted signed revision demo#2 (its BSP boots the board's kernel with statecast.demo=v2)",
    );
    expect(ready).toMatch(/\[demo\] rollout \S+ completed in \d+ s: demo#2 on the fleet/);
    expect(ready).toContain(`QEMU board      ${BOARD} boots and updates its kernel`);
    expect(ready).toContain(`serial console: tail -f ${serialLog}`);
    // The host-process devices run the revision carrying the board's real BSP.
    const hosts = [
      ...Array.from({ length: SIMS }, (_, i) => `demo-sim-${String(i + 1).padStart(3, "0")}`),
      ...(lxcWhyNot ? [] : Array.from({ length: LXCS }, (_, i) => `demo-lxc-${i + 1}`)),
    ];
    for (const id of hosts)
      expect(await api(`/v1/devices/${id}`)).toMatchObject({
        currentRevision: { fleet: "demo", number: 2 },
      });
    // Its app takes the revision's label from its config (lxc.environment), not its rootfs.
    if (!lxcWhyNot) expect(consoleOf("demo-lxc-1")).toContain("statecast demo v2");

    await outputReaches(run, "on the factory revision its image installed", 600_000);
    expect(run.output()).toMatch(
      /\[demo\] board: demo-board-1 online \d+ s after power-on, on the/,
    );
    await outputReaches(run, "[demo] board: runs demo#2", 900_000);
    const output = run.output();
    expect(output).toMatch(/\[demo\] board: building its disk image .*factory revision demo#1/);
    expect(output).toContain("[demo] board: runs demo#2 in");
    expect(output).toContain("its kernel booted with statecast.demo=v2");
    expect(await api(`/v1/devices/${BOARD}`)).toMatchObject({
      online: true,
      currentRevision: { fleet: "demo", number: 2 },
    });
    // The bootloader booted the factory's command line first, the new one after the update.
    const serial = readFileSync(serialLog, "utf8");
    const factoryBoot = serial.search(/cmdline: .*statecast\.demo=board-factory/);
    const updatedBoot = serial.search(/cmdline: .*statecast\.demo=v2/);
    expect(factoryBoot).toBeGreaterThanOrEqual(0);
    expect(updatedBoot).toBeGreaterThan(factoryBoot);

    await stopAndExpectNothingLeft(run);
  }, 1_800_000);

  it("on the next start boots the kept image, no rebuild, and moves the board on to the next revision", async () => {
    run = runLauncher(settings);
    await outputReaches(run, "Demo fleet ready", 300_000);
    const ready = run.output();
    expect(ready).not.toContain("no QEMU board");
    expect(ready).not.toContain("factory revision");
    expect(ready).toContain(
      "[demo] posted signed revision demo#3 (its BSP boots the board's kernel with statecast.demo=v3)",
    );
    await outputReaches(run, "[demo] board: runs demo#3", 900_000);
    expect(run.output()).not.toContain("building its disk image");
    expect(run.output()).toContain("its kernel booted with statecast.demo=v3");
    expect(await api(`/v1/devices/${BOARD}`)).toMatchObject({
      currentRevision: { fleet: "demo", number: 3 },
    });
    // This run booted v2's command line (committed by the last start), then v3's.
    const serial = readFileSync(serialLog, "utf8");
    const v2 = serial.search(/cmdline: .*statecast\.demo=v2/);
    expect(v2).toBeGreaterThanOrEqual(0);
    expect(serial.slice(v2).search(/cmdline: .*statecast\.demo=v3/)).toBeGreaterThan(0);
    await stopAndExpectNothingLeft(run);
  }, 1_800_000);

  it("stopped during its own rollout, the next start posts the next revision and takes the board there", async () => {
    run = runLauncher(settings);
    await outputReaches(run, "[demo] board: rollout", 900_000);
    expect(run.output()).toMatch(/\[demo\] board: rollout \S+ of demo#4/);
    run.ctrlC();
    expect(await run.exit).toBe(0);

    run = runLauncher(settings);
    await outputReaches(run, "Demo fleet ready", 300_000);
    const ready = run.output();
    expect(ready).not.toContain("continuing rollout");
    expect(ready).not.toContain("is paused");
    expect(ready).toContain("[demo] posted signed revision demo#5");
    await outputReaches(run, "[demo] board: runs demo#5", 900_000);
    expect(run.output()).toContain("its kernel booted with statecast.demo=v5");
    await stopAndExpectNothingLeft(run);
  }, 1_800_000);

  /** What the app containers of a host-process LXC device wrote to their consoles. */
  function consoleOf(deviceId: string): string {
    const logs = join(dataDir, "data", "demo", "devices", deviceId, "store", "container-logs");
    return readdirSync(logs)
      .map((c) => readFileSync(join(logs, c, "console.log"), "utf8"))
      .join("");
  }

  /** Ctrl-C stops QEMU with everything else; the image stays, committed, for the next start. */
  async function stopAndExpectNothingLeft(current: LauncherRun) {
    const processes = descendantsOf(current.child.pid as number);
    expect(processes.some((pid) => commandOf(pid).includes("qemu-system-x86_64"))).toBe(true);
    current.ctrlC();
    expect(await current.exit).toBe(0);
    expect(current.output()).toContain("[demo] stopping the QEMU board");
    expect(processes.filter(isAlive)).toEqual([]);
    const image = join(boardDir, "board.img");
    expect(existsSync(image)).toBe(true);
    const env = await readGrubEnv(image);
    expect(env.pv_try ?? "").toBe("");
    expect(env.pv_rev).toMatch(/^[0-9a-f]{64}$/);
    // What the board did and how long it took, for the README.
    const lines = current.output().split("\n");
    process.stdout.write(`${lines.filter((l) => l.includes("[demo]")).join("\n")}\n`);
  }
});

/** A process's command line ("" once it has exited). */
function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}
