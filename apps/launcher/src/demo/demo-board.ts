// The demo's QEMU board (libs/board): a disk image of the demo fleet's factory revision with its
// own enrollment secret, built once and kept under the data dir (the board's disk is its state
// across starts), booted in the background, and moved to the demo's revision in a rollout of its
// own once the other devices are done: it reboots into the revision's BSP (a new kernel command
// line), so the demo shows a kernel update without waiting for a VM.
import {
  appendFileSync,
  chmodSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { buildBoardImage, chooseAccel, type RunningBoard, startBoard } from "@statecast/board";
import { formatRevision } from "@statecast/contract";
import { FsObjectStore, type State, writeBundle } from "@statecast/state";
import type { BusyboxStates } from "./busybox-state.js";
import type { DemoApi, Json } from "./demo-api.js";
import { demoMarker } from "./demo-board-bsp.js";
import { boardRollout, createDemoRollout, runDemoRollout } from "./demo-rollout.js";

export const BOARD_ID = "demo-board-1";
/** The board's TESTING period before it commits a revision (a real board defaults to 25 s). */
const COMMIT_DELAY_MS = 8000;

export interface DemoBoardOptions {
  /** `<dataDir>/demo/board`: the image, the factory bundle, QEMU's run dir. */
  dir: string;
  fleet: string;
  api: DemoApi;
  release: BusyboxStates;
  /** The embedded nats-server's port on 127.0.0.1 (forwarded to the guest's 10.0.2.100:4222). */
  natsPort: number;
  natsCaPem: string | undefined;
  enrollmentCreds: string;
  targetKeyPem: string;
  print: (line: string) => void;
}

interface DeviceView {
  online?: boolean;
  lastSeenAt?: string | null;
  currentRevision?: { fleet: string; number: number } | null;
}

class Stopped extends Error {}

export class DemoBoard {
  private running: RunningBoard | undefined;
  /** QEMU stopped for good (not a reset: the runner powers the board on again after those). */
  private off = false;
  private stopping = false;
  readonly image: string;
  readonly serialLog: string;

  constructor(private readonly o: DemoBoardOptions) {
    this.image = join(o.dir, "board.img");
    this.serialLog = join(o.dir, "run", "serial.log");
  }

  /** The board's own rollouts, newest last (kept in `dir`: the demo's rollouts are the others). */
  static rollouts(dir: string): string[] {
    const file = join(dir, "rollouts");
    return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
  }

  /** Whether an earlier start built the image (the board then needs no factory revision). */
  static imageExists(dir: string): boolean {
    return existsSync(join(dir, "board.img"));
  }

  private print(line: string) {
    if (!this.stopping) this.o.print(`board: ${line}`);
  }

  private check() {
    if (this.stopping) throw new Stopped();
  }

  /**
   * Builds the image from `factory` (when there is none yet), boots it, says when it is online,
   * then rolls `target`'s revision (if any) out to it. A failure prints one line.
   */
  async run(
    factory: { number: number; state: State } | undefined,
    target: Promise<number | undefined>,
  ): Promise<void> {
    try {
      if (!existsSync(this.image)) {
        if (!factory) throw new Error("no factory revision to build its image from");
        await this.build(factory);
      }
      this.check();
      const bootedAt = Date.now();
      await this.boot();
      const online = this.online(bootedAt).then((on) => {
        const where = on ? formatRevision(on) : "the factory revision its image installed";
        this.print(`${BOARD_ID} online ${seconds(bootedAt)} s after power-on, on ${where}`);
      });
      // Says so when QEMU exits before the board is online (the rollout then times out).
      online.catch((error: unknown) => {
        if (!(error instanceof Stopped) && !this.stopping)
          this.print(`not online: ${(error as Error).message}`);
      });
      const number = await target;
      this.check();
      if (number === undefined) {
        this.print(`${BOARD_ID} stays on its revision (the demo's rollout did not complete)`);
        return;
      }
      // Not waiting for it: a registry that still has it online from a start stopped less than
      // 90 s ago does not say when it is back. The rollout waits for it as for any device.
      const device = await this.enrolled();
      if (device.currentRevision?.number === number) {
        this.print(`${BOARD_ID} stays on ${formatRevision(device.currentRevision)}`);
        return;
      }
      await this.update(number);
    } catch (error) {
      if (error instanceof Stopped || this.stopping) return;
      const why = (error as Error).message;
      this.o.print(this.running ? `board: stopped: ${why}` : `no QEMU board in the demo: ${why}`);
      await this.running?.stop().catch(() => undefined);
    }
  }

  private async build(factory: { number: number; state: State }) {
    const { o } = this;
    const rev = formatRevision({ fleet: o.fleet, number: factory.number });
    this.print(`building its disk image (GRUB, the agent, factory revision ${rev}) in ${o.dir}`);
    const started = Date.now();
    const work = join(o.dir, "build");
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true, mode: 0o700 });
    try {
      const store = new FsObjectStore(join(work, "objects"));
      mkdirSync(store.dir, { recursive: true });
      for (const [sha, bytes] of o.release.objects) await store.put(sha, Readable.from([bytes]));
      const bundle = join(work, "factory.tgz");
      await writeBundle(createWriteStream(bundle), { state: factory.state, store, gzip: true });
      // Its own enrollment secret: a token of the demo fleet made for this board.
      const token = await o.api.call<Json>("POST", `/v1/fleets/${o.fleet}/enrollment-tokens`, {});
      const out = join(work, "board.img");
      await buildBoardImage({
        bundle,
        out,
        deviceId: BOARD_ID,
        fleet: o.fleet,
        enrollmentCreds: o.enrollmentCreds,
        enrollmentToken: String(token.secret),
        orchestratorKeyPem: o.targetKeyPem,
        signerPem: o.release.key.publicKeyPem,
        natsUrl: "tls://10.0.2.100:4222",
        ...(o.natsCaPem ? { natsCaPem: o.natsCaPem } : {}),
        agentArgs: `--commit-delay-ms ${COMMIT_DELAY_MS}`,
      });
      chmodSync(out, 0o600); // it holds the enrollment token and, once enrolled, the board's creds
      renameSync(out, this.image);
      this.print(`image built in ${seconds(started)} s`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  private async boot() {
    const runDir = join(this.o.dir, "run");
    mkdirSync(runDir, { recursive: true, mode: 0o700 });
    rmSync(join(runDir, "qmp.sock"), { force: true });
    const accel = await chooseAccel("auto");
    this.check();
    this.print(
      `booting in QEMU (${accel === "kvm" ? "KVM" : "TCG, a minute or two"}); serial console: tail -f ${this.serialLog}`,
    );
    this.running = await startBoard({
      image: this.image,
      runDir,
      accel,
      forwards: [{ guestPort: 4222, hostPort: this.o.natsPort }],
    });
    // QEMU ends at each reset and the runner starts it again; `exited` is the board off for good.
    void this.running.exited.then(() => {
      this.off = true;
    });
    if (this.stopping) await this.running.stop();
  }

  /** The board in the registry, once it has enrolled (a rollout selects enrolled devices only). */
  private async enrolled(): Promise<DeviceView> {
    for (;;) {
      this.check();
      const device = await this.o.api.get<DeviceView>(`/v1/devices/${BOARD_ID}`).catch(() => null);
      if (device) return device;
      await sleep(2000);
    }
  }

  /**
   * Polls the registry until the board has been seen since `since`; its fleet revision then (none
   * on a first boot: the factory bundle it installed names no fleet revision).
   */
  private async online(since: number): Promise<DeviceView["currentRevision"]> {
    for (;;) {
      this.check();
      if (!this.running || this.off)
        throw new Error(`QEMU exited (serial console: ${this.serialLog})`);
      const device = await this.o.api.get<DeviceView>(`/v1/devices/${BOARD_ID}`).catch(() => ({}));
      const seen = Date.parse((device as DeviceView).lastSeenAt ?? "");
      const { online, currentRevision } = device as DeviceView;
      if (online && seen >= since - 1000) return currentRevision ?? null;
      await sleep(2000);
    }
  }

  private async update(number: number) {
    const { api, fleet } = this.o;
    const rev = formatRevision({ fleet, number });
    const marker = demoMarker(`v${number}`);
    // A board rollout an earlier start left running or paused still holds the board.
    for (const earlier of DemoBoard.rollouts(this.o.dir)) {
      const { status } = await api.get<{ status: string }>(`/v1/rollouts/${earlier}`);
      if (status === "running" || status === "paused" || status === "created")
        await api.call("POST", `/v1/rollouts/${earlier}/abort`, { reason: "demo board: newer" });
    }
    const rolloutId = await createDemoRollout(api, fleet, number, boardRollout(BOARD_ID));
    appendFileSync(join(this.o.dir, "rollouts"), `${rolloutId}\n`);
    const ran = await runDemoRollout(api, rolloutId, {
      startReason: "demo board",
      line: `rollout ${rolloutId} of ${rev}: the board stages its BSP, reboots into the kernel with ${marker}, tests and commits`,
      print: (l) => this.print(l),
      stopped: () => this.stopping,
    });
    if (!ran) return;
    const booted = this.serialShows(marker);
    this.print(
      ran.view.status === "completed"
        ? `runs ${rev} in ${ran.seconds} s; ${booted ? `its kernel booted with ${marker}` : `no boot with ${marker} in its serial console`}`
        : `rollout ${rolloutId} ended ${ran.view.status} (serial console: ${this.serialLog})`,
    );
  }

  /** Whether the serial console shows a boot whose kernel command line carries `marker`. */
  private serialShows(marker: string): boolean {
    const log = existsSync(this.serialLog) ? readFileSync(this.serialLog, "utf8") : "";
    return log.split("\n").some((l) => l.includes("cmdline:") && l.includes(marker));
  }

  /** Ends the board's run: QEMU quits (QMP `quit`, killed after 5 s); the image is kept. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.running?.stop().catch(() => undefined);
  }
}

/** A wait that does not keep the process alive (the launcher exits when it has stopped all). */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());
const seconds = (since: number) => Math.round((Date.now() - since) / 1000);
