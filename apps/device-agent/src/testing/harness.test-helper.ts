import { execFileSync } from "node:child_process";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { signTarget, type TargetEnvelope } from "@statecast/contract";
import type { State } from "@statecast/state";
import { Agent, type AgentConfig } from "../agent/agent.js";
import { LxcRuntime } from "../runtime/lxc-runtime.js";
import type { ContainerRuntime } from "../runtime/runtime.js";
import { StateBuilder } from "./fixtures.test-helper.js";

/** One device under test: a temp store and lxcpath, an orchestrator key, a state builder. */
export class DeviceUnderTest {
  readonly dir = mkdtempSync("/tmp/sc-agent-test-");
  readonly deviceId = `dev-${this.dir.slice(-6).toLowerCase()}`;
  readonly orchestrator = generateKeyPairSync("ed25519");
  readonly states = new StateBuilder(join(this.dir, "work"));
  readonly runtime: ContainerRuntime;
  agent: Agent;
  private seq = 0;

  constructor(
    private readonly overrides: Partial<AgentConfig> = {},
    runtime?: (dir: string) => ContainerRuntime,
  ) {
    this.runtime = runtime ? runtime(this.dir) : new LxcRuntime(join(this.dir, "lxc"));
    this.agent = this.newAgent();
  }

  get storeDir(): string {
    return join(this.dir, "store");
  }

  config(): AgentConfig {
    return {
      deviceId: this.deviceId,
      storeDir: this.storeDir,
      runtime: this.runtime,
      commitDelayMs: 1000,
      groupTimeoutMs: 5000,
      orchestratorKeys: [this.orchestrator.publicKey],
      trustPolicy: this.states.trustPolicy,
      quiet: true,
      ...this.overrides,
    };
  }

  /** A fresh agent process on the same store (what a restart is). */
  newAgent(): Agent {
    this.agent = new Agent(this.config());
    return this.agent;
  }

  target(
    state: State,
    digest: string,
    changes: Partial<TargetEnvelope> & { key?: KeyObject } = {},
  ): TargetEnvelope {
    const { key, ...rest } = changes;
    const unsigned = {
      deviceId: this.deviceId,
      seq: ++this.seq,
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
      revision: `fleet#${this.seq}`,
      stateDigest: digest,
      state,
      ...rest,
    };
    const { signature: _s, ...body } = unsigned as typeof unsigned & { signature?: unknown };
    return signTarget(body, key ?? this.orchestrator.privateKey);
  }

  async statuses(revision?: string): Promise<string[]> {
    const reports = await this.agent.journal.all();
    return reports
      .filter((r) => revision === undefined || r.revision === revision)
      .map((r) => (r.reason ? `${r.status}:${r.reason}` : r.status))
      .filter((s, i, all) => s !== "DOWNLOADING" || all[i - 1] !== "DOWNLOADING");
  }

  async running(): Promise<string[]> {
    const names: string[] = [];
    for (const name of await this.runtime.list()) {
      if ((await this.runtime.state(name)) === "RUNNING") names.push(name);
    }
    return names;
  }

  /** The init pid of a real LXC container (to tell a restart from a container left alone). */
  pid(name: string): number {
    const lxcpath = (this.runtime as LxcRuntime).lxcpath;
    return Number(
      execFileSync("lxc-info", ["-P", lxcpath, "-n", name, "-p", "-H"]).toString().trim(),
    );
  }

  async dispose(): Promise<void> {
    await this.agent.removeAllContainers().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
