// One QEMU board enrolled in a real Statecast (Postgres, NATS, orchestrator, gateway): builds
// BSPs and revisions, the image, boots it, and reads its serial log and GRUB env.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import {
  type BspOptions,
  buildBoardImage,
  buildBsp,
  type RunningBoard,
  readGrubEnv,
  startBoard,
} from "@statecast/board";
import { credsConnectionOptions, issueEnrollmentUser } from "@statecast/nats-auth";
import {
  expectStatus,
  type FleetSystem,
  type Json,
  startFleet,
  until,
} from "../fleet.test-helper.js";
import { type BoardPart, BoardStates } from "./board-states.test-helper.js";
import { type BootStep, type BootTiming, SerialClock } from "./serial-clock.test-helper.js";

export const AGENT_BUNDLE = join(
  import.meta.dirname,
  "../../../apps/device-agent/dist/statecast-agent.js",
);
export const FLEET = "boards";
export const DEVICE = "qemu-board-1";
export const APP: BoardPart = { name: "app", init: "exec /bin/sleep 1000000" };

export interface BoardRevision {
  number: number;
  digest: string;
}

export class BoardSystem {
  readonly dir = mkdtempSync(join(tmpdir(), "statecast-board-e2e-"));
  readonly states: BoardStates;
  board: RunningBoard | undefined;
  /** The serial log timed line by line (serial.timed.log) and the boots' timings. */
  clock: SerialClock | undefined;
  private trusted = false;
  readonly image = join(this.dir, "board.img");

  /** Paths a container in the board requested from the host service (guest port 8080). */
  readonly hostRequests: string[] = [];
  private readonly hostService = createServer((req, res) => {
    this.hostRequests.push(req.url ?? "");
    res.end("hello board\n");
  });

  private constructor(readonly system: FleetSystem) {
    this.states = new BoardStates(system.release);
  }

  static async start(): Promise<BoardSystem> {
    if (!existsSync(AGENT_BUNDLE)) throw new Error(`${AGENT_BUNDLE} missing: npm run build`);
    const logLevel = process.env.STATECAST_BOARD_SERVICES_LOG ?? "error";
    const s = new BoardSystem(
      await startFleet([], { enrollment: true, env: { STATECAST_LOG_LEVEL: logLevel } }),
    );
    await new Promise<void>((resolve) => s.hostService.listen(0, "127.0.0.1", resolve));
    return s;
  }

  api: FleetSystem["api"] = (path, init) => this.system.api(path, init);

  async bsp(name: string, options: Omit<BspOptions, "agentBundle">): Promise<string> {
    const dir = join(this.dir, "bsp", name);
    await buildBsp(dir, { agentBundle: AGENT_BUNDLE, ...options });
    return dir;
  }

  /** Posts a signed revision (bsp/ from `bspDir`, busybox `parts`) of the board fleet. */
  async postRevision(bspDir: string, parts: BoardPart[], label: string): Promise<BoardRevision> {
    if (!this.trusted) {
      const pem = this.states.busybox.key.publicKeyPem;
      const policy = { mode: "strict", trusted: [{ name: "release", pem, keys: ["**"] }] };
      await expectStatus(
        this.api(`/v1/fleets/${FLEET}/trust-policy`, { method: "PUT", json: policy }),
        200,
      );
      this.trusted = true;
    }
    const { state, digest } = this.states.build(bspDir, parts);
    for (const [sha, body] of this.states.objects) {
      if (this.uploaded.has(sha)) continue;
      const res = await this.api(`/v1/objects/${sha}`, { method: "PUT", body });
      if (res.status !== 201 && res.status !== 200) throw new Error(`upload ${sha}: ${res.status}`);
      this.uploaded.add(sha);
    }
    const posted = await expectStatus(
      this.api(`/v1/fleets/${FLEET}/revisions`, {
        method: "POST",
        json: { state, message: label },
      }),
      201,
    );
    this.lastState = state;
    return { number: Number(posted.number), digest };
  }
  private lastState: unknown;
  /** Objects already PUT to the orchestrator (each revision uploads only its new ones). */
  private readonly uploaded = new Set<string>();

  /** The image of the last posted revision, enrolled in FLEET with a fresh token. */
  async buildImage(agentArgs: string): Promise<void> {
    const bundle = join(this.dir, "factory.tgz");
    await this.states.bundle(this.lastState as never, bundle, join(this.dir, "objects"));
    const token = await expectStatus(
      this.api(`/v1/fleets/${FLEET}/enrollment-tokens`, { method: "POST", json: {} }),
      201,
    );
    const services = this.system.services;
    await buildBoardImage({
      bundle,
      out: this.image,
      deviceId: DEVICE,
      fleet: FLEET,
      enrollmentCreds: (await issueEnrollmentUser(services.setup)).creds,
      enrollmentToken: String(token.secret),
      orchestratorKeyPem: services.targetKeyPem,
      signerPem: this.states.busybox.key.publicKeyPem,
      watchdogSeconds: 90,
      factoryCommitDelayMs: 1_000,
      agentArgs,
    });
    const { size, blocks } = statSync(this.image);
    const mb = (n: number) => Math.round(n / 1e6);
    process.stdout.write(
      `board: image ${mb(size)} MB apparent, ${mb(blocks * 512)} MB allocated\n`,
    );
  }

  async boot(): Promise<void> {
    const runDir = join(this.dir, "run");
    mkdirSync(runDir, { recursive: true });
    const natsPort = Number(new URL(this.system.services.nats.url.split(",")[0] as string).port);
    this.clock = new SerialClock(join(runDir, "serial.log"), join(this.dir, "serial.timed.log"));
    this.board = await startBoard({
      image: this.image,
      runDir,
      forwards: [
        { guestPort: 4222, hostPort: natsPort },
        { guestPort: 8080, hostPort: (this.hostService.address() as AddressInfo).port },
      ],
    });
    const board = this.board;
    this.clock.cpuSeconds = () => board.cpuSeconds();
  }

  /** The serial console so far, with GRUB's line wrapping and terminal escapes undone. */
  serial(): string {
    const raw = this.board ? readFileSync(this.board.serialLog, "utf8") : "";
    return raw
      .replace(ESCAPES, "")
      .replace(/\r?\n\r/g, " ")
      .replace(/\r/g, "");
  }

  /** Waits for `text` in the serial log after `from` characters; returns its index. */
  async serialShows(text: string | RegExp, from: number, timeoutMs: number): Promise<number> {
    return until(
      `serial log to show ${text}`,
      async () => {
        const log = this.serial().slice(from);
        const i = typeof text === "string" ? log.indexOf(text) : log.search(text);
        return i >= 0 ? from + i : undefined;
      },
      timeoutMs,
    ).catch((e: unknown) => {
      throw new Error(
        `${(e as Error).message}\n--- serial tail ---\n${this.serial().slice(-4000)}`,
      );
    });
  }

  /** `until`, with the serial log's tail in the failure. */
  waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
    return until(what, check, timeoutMs).catch((e: unknown) => {
      throw new Error(
        `${(e as Error).message}\n--- serial tail ---\n${this.serial().slice(-6000)}`,
      );
    });
  }

  grubEnv(): Promise<Record<string, string>> {
    return readGrubEnv(this.image);
  }

  /** The device as the orchestrator sees it. */
  async device(): Promise<Json> {
    return (await this.api(`/v1/devices/${DEVICE}`)).body;
  }

  async events(query: string): Promise<Json[]> {
    const { body } = await this.api(`/v1/events?${query}&limit=1000`);
    return body.items as Json[];
  }

  /**
   * What the gateway's status consumer and metrics say (for a failure's message): whether the
   * board's reports wait in JetStream, are held by the gateway, or were dropped.
   */
  async ingestion(): Promise<string> {
    const services = this.system.services;
    const nc = await connect({
      servers: services.nats.url.split(","),
      ...credsConnectionOptions(services.servicesCreds),
    });
    try {
      const jsm = await jetstreamManager(nc);
      const info = await jsm.consumers.info("SC_DEVICE_STATUS", "sc-gateway-status");
      const { num_pending, num_ack_pending, num_redelivered, num_waiting, delivered, ack_floor } =
        info;
      const consumer = { num_pending, num_ack_pending, num_redelivered, num_waiting };
      const metrics = await fetch(`${services.gateway.url}/metrics`)
        .then((r) => r.text())
        .catch((e: unknown) => String(e));
      const lines = metrics
        .split("\n")
        .filter((l) => /^statecast_gateway_(report|status|drop)/.test(l));
      return JSON.stringify({ consumer, delivered, ack_floor, metrics: lines });
    } finally {
      await nc.close();
    }
  }

  /** Power cut (QMP system_reset), noted for the boot timings. */
  async powerCut(): Promise<void> {
    this.clock?.powerCut();
    await this.board?.powerCut();
  }

  async close(): Promise<void> {
    await this.board?.stop().catch(() => undefined);
    this.clock?.stop();
    if (this.clock) {
      process.stdout.write(
        "board boots: wall s (QEMU CPU s) from the reset to the firmware's boot manager, GRUB's line, /init [kernel uptime], /init's agent starting, the agent's first log\n",
      );
      const at = (b: BootTiming, k: BootStep) => `${b[k] ?? "-"} (${b.cpu[k] ?? "-"})`;
      for (const b of this.clock.boots())
        process.stdout.write(
          `board boot: ${b.cause.padEnd(19)} ${String(b.mode ?? "-").padEnd(4)} fw ${at(b, "firmware")} grub ${at(b, "grub")} init ${at(b, "init")} [${b.kernelUptime ?? "-"}] agent ${at(b, "agentStarting")} log ${at(b, "agentLog")}\n`,
        );
    }
    await this.system.close();
    this.hostService.close();
    if (!process.env.STATECAST_KEEP_BOARD) rmSync(this.dir, { recursive: true, force: true });
    else process.stdout.write(`board e2e files kept in ${this.dir}\n`);
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences in the serial log
const ESCAPES = /\x1b\[[0-9;=]*[A-Za-z]/g;

export const seconds = (since: number) => Math.round((Date.now() - since) / 100) / 10;
export { sleep };
