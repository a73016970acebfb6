import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { beginTry, commitTry } from "../boot/boot-env.js";
import type { ControlSockets } from "../control/control-server.js";
import type { CrashPoint } from "../faults/crash-point.js";
import { writeFileAtomic } from "../fs/atomic.js";
import type { Logger } from "../log.js";
import type { PartSpec } from "../model/revision.js";
import type { Step } from "../plan/steps.js";
import { explainExits, prepareContainerLogs, withConsoleLog } from "../runtime/container-logs.js";
import type { ContainerRuntime } from "../runtime/runtime.js";
import type { LocalStore } from "../store/local-store.js";
import { ApplyError } from "./apply-error.js";
import { awaitGroupGoals, type GatewayWatch, watchDuringTesting } from "./goals.js";
import { copyConfigFiles, renderPartConfig } from "./part-configs.js";

export interface ExecutorDeps {
  store: LocalStore;
  runtime: ContainerRuntime;
  control: ControlSockets;
  log: Logger;
  commitDelayMs: number;
  /** The gateway connection TESTING watches (none for an offline install). */
  gateway: () => GatewayWatch | undefined;
  /** Fault injection for crash-safety tests: named points where the agent kills itself. */
  crashPoint: (point: CrashPoint) => void;
}

type StepOf<A extends Step["action"]> = Extract<Step, { action: A }>;
type StepHandlers = {
  [A in Step["action"]]: (
    step: StepOf<A>,
    deps: ExecutorDeps,
    started: () => number,
  ) => Promise<void>;
};

/** One handler per step `action` (as balena-supervisor's executors); the runtime comes in `deps`. */
const handlers: StepHandlers = {
  async beginTry(step, { store, crashPoint }) {
    await store.writeBootEnv(beginTry(await store.readBootEnv(), step.revision, store.boot.board));
    crashPoint("after-begin-try");
  },
  async stopContainer(step, { store, runtime, control, crashPoint }) {
    await control.close(step.name);
    await runtime.remove(step.name, store.containerDirs(step.name));
    crashPoint("after-stop");
  },
  async prepareContainer(step, { store, runtime, control }) {
    const { part } = step;
    const dirs = store.containerDirs(part.containerName);
    await runtime.mountRootfs(
      part.containerName,
      part.rootVolumeKind,
      store.objectPath(part.rootObject),
      dirs,
    );
    const logs = await prepareContainerLogs(store.root, part.containerName);
    const rendered = await renderPartConfig(store, part, {
      name: part.containerName,
      dirs,
      logFile: logs.lxc,
      volumes: await prepareVolumes(store, part),
      configFiles: await copyConfigFiles(store, step.revision, part),
    });
    const config = runtime.logsConsole ? withConsoleLog(rendered, logs.console) : rendered;
    const trail = join(store.trailDir(step.revision), "lxc");
    await mkdir(trail, { recursive: true });
    await writeFileAtomic(join(trail, `${part.name}.conf`), config);
    await runtime.define(part.containerName, config);
    await control.open(part.containerName, dirs.control);
  },
  async startContainer(step, { store, runtime, crashPoint }, started) {
    const name = step.part.containerName;
    try {
      await runtime.start(name);
    } catch (error) {
      throw new ApplyError(
        "boot_failed",
        `container ${name} did not start: ${(error as Error).message}`,
        { cause: error },
      );
    }
    void runtime.afterStart(name, store.containerDirs(name));
    if (started() === 1) crashPoint("after-first-start");
  },
  awaitGroup: (step, { store, runtime, control }) =>
    explainExits(
      awaitGroupGoals(step.group, step.parts, step.timeoutMs, runtime, control),
      step.parts.map((p) => p.containerName),
      runtime,
      store.root,
    ),
  awaitCommitDelay(step, { store, runtime, commitDelayMs, gateway, crashPoint }) {
    crashPoint("during-testing");
    return explainExits(
      watchDuringTesting(step.watch, commitDelayMs, runtime, gateway()),
      step.watch,
      runtime,
      store.root,
    );
  },
  async commit(step, { store, crashPoint }) {
    const env = await store.readBootEnv();
    if (env.pv_try !== step.revision) {
      throw new ApplyError(
        "boot_failed",
        `commit of ${step.revision} but boot.env tries ${env.pv_try || "nothing"}`,
      );
    }
    const record = await store.readRecord();
    await store.writeRecord({
      ...record,
      previous: env.pv_rev,
      lastCommit: { revision: step.revision, outcome: step.outcome },
    });
    await store.writeBootEnv(commitTry(env));
    crashPoint("after-commit");
  },
};

/** Runs planned steps: exactly one handler per `action`. */
export class StepExecutor {
  private started = 0;

  constructor(private readonly deps: ExecutorDeps) {}

  execute(step: Step): Promise<void> {
    this.deps.log.info("step", { action: step.action, ...describe(step) });
    // Cast: `handlers[step.action]` takes exactly this step's variant, which TS cannot correlate.
    const handle = handlers[step.action] as (
      step: Step,
      deps: ExecutorDeps,
      started: () => number,
    ) => Promise<void>;
    return handle(step, this.deps, () => ++this.started);
  }
}

/** Makes each storage volume's host directory; a `boot` one starts empty with its container. */
async function prepareVolumes(store: LocalStore, part: PartSpec): Promise<Record<string, string>> {
  const volumes: Record<string, string> = {};
  for (const volume of part.volumes) {
    const dir = store.volumeDir(part.name, part.containerName, volume);
    if (volume.persistence === "boot") await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    volumes[`/volumes/${part.name}/${volume.name}`] = dir;
  }
  return volumes;
}

function describe(step: Step): Record<string, unknown> {
  switch (step.action) {
    case "stopContainer":
      return { container: step.name };
    case "prepareContainer":
    case "startContainer":
      return { container: step.part.containerName };
    case "awaitGroup":
      return { group: step.group, timeoutMs: step.timeoutMs };
    default:
      return {};
  }
}
