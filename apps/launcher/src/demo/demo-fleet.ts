// The demo fleet `npm start` runs once the services are ready: real agents in this process (sim
// and, where LXC is usable, a few LXC ones) enrol over the generated NATS auth, a signed revision
// is posted and rolled out in three waves, and its progress is printed until it completes.

import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { formatRevision } from "@statecast/contract";
import type { LogSink } from "@statecast/device-agent/dist/log.js";
import { DEMO_FLEET } from "../device-enrollment.js";
import { BusyboxStates } from "./busybox-state.js";
import type { DemoConfig } from "./demo.config.js";
import { DemoApi } from "./demo-api.js";
import { BOARD_ID, DemoBoard } from "./demo-board.js";
import { demoMarker, prepareBoardBsp } from "./demo-board-bsp.js";
import { type DemoDevice, type DemoDeviceSpec, startDemoDevice } from "./demo-devices.js";
import { demoDeviceCreds, demoEnrollmentFiles } from "./demo-enrollment.js";
import {
  type DemoBsp,
  demoSigningKey,
  postDemoRevision,
  postNextDemoRevision,
} from "./demo-release.js";
import {
  createDemoRollout,
  lastRollout,
  type RunRolloutOptions,
  runDemoRollout,
} from "./demo-rollout.js";
import { lxcUnavailableReason } from "./lxc-usable.js";

export interface DemoOptions {
  config: DemoConfig;
  dataDir: string;
  orchestratorUrl: string;
  gatewayUrl: string;
  adminToken: string;
  /** How to print the admin token in the CLI hint: a file path or an environment variable. */
  adminTokenSource: { file: string } | { env: string };
  /** Unset: NATS_URL names an external server the demo has no device credentials for. */
  natsUrl: string | undefined;
  /** The CA (PEM file) the demo agents pin, as `--nats-ca` does for a real agent. */
  natsCaFile?: string | undefined;
  env: Record<string, string | undefined>;
  print: (line: string) => void;
  /** The demo agents' log lines (default: JSON on stderr, as a real agent writes them). */
  logSink?: LogSink | undefined;
}

class Stopped extends Error {}

/** Runs the demo in the background; `stop()` ends it wherever it is and stops every device. */
export class DemoFleet {
  private readonly devices: DemoDevice[] = [];
  /** Ends an enrollment still waiting for the gateway when the demo stops. */
  private readonly abort = new AbortController();
  private stopping = false;
  /** The QEMU board, when it runs; `boardDone` ends with its run. */
  private board: DemoBoard | undefined;
  private boardDone: Promise<void> = Promise.resolve();
  /** The revision the board's own rollout moves it to, once the other devices have it. */
  private boardTarget: (number: number | undefined) => void = () => undefined;
  readonly done: Promise<void>;

  constructor(private readonly o: DemoOptions) {
    const boardTarget = new Promise<number | undefined>((resolve) => {
      this.boardTarget = resolve;
    });
    this.done = this.run(boardTarget).catch((error: unknown) => {
      if (error instanceof Stopped || this.stopping) return;
      this.print(`failed: ${(error as Error).message} (the services keep running)`);
    });
  }

  private print(line: string) {
    this.o.print(`[demo] ${line}`);
  }

  private check() {
    if (this.stopping) throw new Stopped();
  }

  private async run(boardTarget: Promise<number | undefined>): Promise<void> {
    try {
      await this.runFleet(boardTarget);
    } finally {
      this.boardTarget(undefined); // the board stays where it is if no rollout completed
    }
  }

  private async runFleet(boardTarget: Promise<number | undefined>): Promise<void> {
    const { config, dataDir } = this.o;
    const files = demoEnrollmentFiles(dataDir);
    if (!this.o.natsUrl || !files) {
      this.print(
        "skipped: demo devices enrol with the launcher's enrollment files, which exist only with the embedded nats-server (NATS_URL is set)",
      );
      return;
    }
    const demoDir = join(dataDir, "demo");
    const devicesDir = join(demoDir, "devices");
    mkdirSync(devicesDir, { recursive: true, mode: 0o700 });
    const api = new DemoApi(this.o.orchestratorUrl, this.o.adminToken);
    const lxcWhyNot = config.lxcAgents > 0 ? lxcUnavailableReason(this.o.env) : undefined;
    if (lxcWhyNot) this.print(`no LXC demo agents: ${lxcWhyNot}; sim agents only`);
    const specs: DemoDeviceSpec[] = [
      ...Array.from({ length: lxcWhyNot ? 0 : config.lxcAgents }, (_, i) => ({
        deviceId: `demo-lxc-${i + 1}`,
        runtime: "lxc" as const,
      })),
      ...Array.from({ length: config.simAgents }, (_, i) => ({
        deviceId: `demo-sim-${String(i + 1).padStart(3, "0")}`,
        runtime: "sim" as const,
      })),
    ].map((d) => ({ ...d, dir: join(devicesDir, d.deviceId) }));
    if (specs.length === 0) {
      this.print("no devices configured (STATECAST_DEMO_SIM_AGENTS=0, no LXC agents)");
      return;
    }

    const boardDir = join(demoDir, "board");
    // Made while the devices connect; undefined (one line says why) when there is no board.
    const boardBsp = config.board
      ? prepareBoardBsp(boardDir, this.o.env, (l) => this.print(l))
      : Promise.resolve(undefined);

    const { key } = demoSigningKey(demoDir);
    const release = new BusyboxStates(key);
    const targetKeyPem = readFileSync(join(dataDir, "keys", "target-signing.pub.pem"), "utf8");
    const lxcCount = specs.filter((s) => s.runtime === "lxc").length;
    this.print(
      `starting ${specs.length - lxcCount} sim + ${lxcCount} LXC agents in fleet "${DEMO_FLEET}" (devices in ${devicesDir})`,
    );
    // One hello at a time: hellos presenting the same token contend for the token's stream.
    const creds = new Map<string, string>();
    const natsCa = this.o.natsCaFile ? readFileSync(this.o.natsCaFile, "utf8") : undefined;
    let enrolledNow = 0;
    for (const spec of specs) {
      this.check();
      const got = await demoDeviceCreds(spec, {
        natsUrl: this.o.natsUrl,
        natsCa,
        fleet: DEMO_FLEET,
        files,
        signal: this.abort.signal,
        logSink: this.o.logSink,
      });
      creds.set(spec.deviceId, got.creds);
      if (got.enrolledNow) enrolledNow++;
    }
    let next = 0;
    const worker = async () => {
      while (next < specs.length) {
        this.check();
        const spec = specs[next++] as DemoDeviceSpec;
        const device = await startDemoDevice(spec, {
          natsUrl: this.o.natsUrl as string,
          natsCa,
          creds: creds.get(spec.deviceId) as string,
          targetKeyPem,
          trustPolicy: release.trustPolicy,
          logSink: this.o.logSink,
        });
        this.devices.push(device); // stop() takes it from the list, even while stopping
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    this.check();
    this.print(
      `${this.devices.length} devices connected (${enrolledNow} enrolled now with the fleet token over the hello protocol, ${specs.length - enrolledNow} with their credentials from an earlier start)`,
    );

    const bsp = await boardBsp;
    this.check();
    const boardFiles: DemoBsp | undefined = bsp ? (label) => bsp.files(label) : undefined;
    if (boardFiles) {
      // A first board boots a factory revision older than the one rolled out to it.
      const factory = DemoBoard.imageExists(boardDir)
        ? undefined
        : await postDemoRevision(api, DEMO_FLEET, release, "board-factory", boardFiles);
      if (factory)
        this.print(
          `posted ${formatRevision({ fleet: DEMO_FLEET, number: factory.number })}, the QEMU board's factory revision`,
        );
      this.startBoard(boardDir, api, release, targetKeyPem, factory, boardTarget);
    }

    const previous = await lastRollout(api, DEMO_FLEET, DemoBoard.rollouts(boardDir));
    let rolloutId: string;
    let postedForBoard: number | undefined;
    let run: Omit<RunRolloutOptions, "print" | "stopped">;
    if (previous && (previous.status === "running" || previous.status === "created")) {
      rolloutId = previous.rolloutId;
      run = {
        line: `continuing rollout ${rolloutId} of ${formatRevision(previous.revision)}`,
        ...(previous.status === "created" ? { startReason: "demo" } : {}),
      };
    } else if (previous?.status === "paused") {
      this.print(
        `rollout ${previous.rolloutId} is paused; not starting another (npx statecast rollout resume ${previous.rolloutId})`,
      );
      this.printSummary(previous.rolloutId);
      return;
    } else {
      const number = await postNextDemoRevision(api, DEMO_FLEET, release, boardFiles);
      this.check();
      this.print(
        `posted signed revision ${formatRevision({ fleet: DEMO_FLEET, number })}${boardFiles ? ` (its BSP boots the board's kernel with ${demoMarker(`v${number}`)})` : ""}`,
      );
      if (boardFiles) postedForBoard = number;
      // The devices started here: a board (this start's or an earlier one's) has its own rollout.
      const ids = specs.map((s) => s.deviceId);
      rolloutId = await createDemoRollout(api, DEMO_FLEET, number, { ids });
      run = {
        startReason: "demo",
        line: `rollout ${rolloutId} started: 3 waves (10/30/60 %), 3 s soak${this.board ? `; then ${BOARD_ID} in a rollout of its own` : ""}`,
      };
    }
    const ran = await runDemoRollout(api, rolloutId, {
      ...run,
      print: (l) => this.print(l),
      stopped: () => this.stopping,
    });
    if (!ran) return;
    const { view } = ran;
    if (view.status === "completed") this.boardTarget(postedForBoard);
    this.print(
      view.status === "completed"
        ? `rollout ${rolloutId} completed in ${ran.seconds} s: ${formatRevision(view.revision)} on the fleet`
        : `rollout ${rolloutId} ended ${view.status}`,
    );
    this.printSummary(rolloutId);
  }

  /** Boots the board in the background: "Demo fleet ready" does not wait for it. */
  private startBoard(
    dir: string,
    api: DemoApi,
    release: BusyboxStates,
    targetKeyPem: string,
    factory: Awaited<ReturnType<typeof postDemoRevision>> | undefined,
    target: Promise<number | undefined>,
  ) {
    const files = demoEnrollmentFiles(this.o.dataDir);
    const natsUrl = this.o.natsUrl;
    if (!files || !natsUrl) return;
    this.board = new DemoBoard({
      dir,
      fleet: DEMO_FLEET,
      api,
      release,
      natsPort: Number(new URL(natsUrl).port),
      natsCaPem: this.o.natsCaFile ? readFileSync(this.o.natsCaFile, "utf8") : undefined,
      enrollmentCreds: readFileSync(files.creds, "utf8"),
      targetKeyPem,
      print: (l) => this.print(l),
    });
    this.boardDone = this.board.run(factory, target);
  }

  private printSummary(rolloutId: string) {
    const { orchestratorUrl: o, gatewayUrl: g } = this.o;
    const token =
      "file" in this.o.adminTokenSource
        ? `"$(cat ${this.o.adminTokenSource.file})"`
        : `"$${this.o.adminTokenSource.env}"`;
    this.o.print(
      [
        "",
        "Demo fleet ready",
        `  console         ${o}/console/   (sign in with the admin token)`,
        `  API docs        ${o}/docs`,
        `  health          ${o}/health/ready   ${g}/health/ready`,
        `  metrics         ${o}/metrics   ${g}/metrics`,
        `  CLI             npx statecast login ${o} --token ${token}`,
        `                  npx statecast rollout watch ${rolloutId}`,
        ...(this.board
          ? [
              `  QEMU board      ${BOARD_ID} boots and updates its kernel in the background (lines "[demo] board: ...")`,
              `                  serial console: tail -f ${this.board.serialLog}`,
            ]
          : []),
        "",
      ].join("\n"),
    );
  }

  /** Ends the demo wherever it is, then disconnects every device and removes LXC containers. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    await this.done;
    if (this.board) this.print("stopping the QEMU board");
    await this.board?.stop();
    await this.boardDone;
    const devices = this.devices.splice(0);
    if (devices.length > 0) this.print(`stopping ${devices.length} demo devices`);
    await Promise.all(devices.map((d) => d.stop()));
  }
}
