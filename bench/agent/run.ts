// Agent benchmark (issue 7): the shipped single-file agent as its own process, connected to a
// private nats-server, applying targets through real LXC with objects already staged.
// Prints one JSON object as its last line.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { once } from "node:events";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { signTarget } from "@statecast/contract";
import { startNatsServer } from "@statecast/infra";
// @ts-expect-error build.mjs is plain JavaScript
import { buildAgent } from "../../apps/device-agent/build.mjs";
import type { StatusReport } from "../../apps/device-agent/src/report/report.js";
import { INIT, StateBuilder } from "../../apps/device-agent/src/testing/fixtures.test-helper.js";
import { GatewaySide } from "../../apps/device-agent/src/testing/gateway-side.test-helper.js";

const APPLIES = Number(process.env.BENCH_AGENT_APPLIES ?? 200);
const WARMUP = 10;
/** How the agent is meant to run on a board (deploy/ systemd unit): a small young generation. */
const NODE_FLAGS = (
  process.env.BENCH_AGENT_NODE_FLAGS ?? "--max-semi-space-size=1 --max-old-space-size=64"
)
  .split(" ")
  .filter(Boolean);
const dir = mkdtempSync("/tmp/sc-bench-agent-");
const deviceId = "bench-agent";

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** Everything the run started, undone in reverse order on success and on failure alike. */
const cleanups: (() => Promise<void> | void)[] = [];
async function teardown(): Promise<void> {
  for (const undo of cleanups.reverse()) {
    try {
      await undo();
    } catch (error) {
      console.error(`cleanup: ${(error as Error).message}`);
    }
  }
  cleanups.length = 0;
}

function stopContainers(): void {
  const lxcpath = join(dir, "lxc");
  for (const name of existsSync(lxcpath) ? readdirSync(lxcpath) : []) {
    spawnSync("lxc-stop", ["-P", lxcpath, "-n", name, "-k"]);
  }
  spawnSync("sh", [
    "-c",
    `umount -l ${dir}/store/containers/*/rootfs ${dir}/store/containers/*/lower 2>/dev/null; true`,
  ]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

async function main() {
  const { outfile, bytes } = (await buildAgent(join(dir, "statecast-agent.js"))) as {
    outfile: string;
    bytes: number;
  };
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const nats = await startNatsServer({ storeDir: join(dir, "js") });
  cleanups.push(() => nats.stop());
  const gateway = await GatewaySide.open(nats.url);
  const states = new StateBuilder(join(dir, "work"));
  const orchestrator = generateKeyPairSync("ed25519");
  const store = join(dir, "store");
  // Two revisions whose root container differs, so every apply stops one container and starts another.
  const revisions = ["a", "b"].map((tag) =>
    states.build([{ name: "net", group: "root", init: `echo ${tag}\n${INIT.started}` }], "bsp"),
  );
  // Staged in the agent's store and also served by sc_objects: the first commit's GC drops the
  // other revision's objects (nothing is "previous" yet), the warm-up applies fetch them back.
  await gateway.putObjects(states.objectsDir);
  mkdirSync(join(store, "objects"), { recursive: true });
  for (const name of readdirSync(states.objectsDir))
    copyFileSync(join(states.objectsDir, name), join(store, "objects", name));

  writeFileSync(join(dir, "trust.pem"), states.key.publicKeyPem);
  writeFileSync(
    join(dir, "orch.pem"),
    orchestrator.publicKey.export({ type: "spki", format: "pem" }),
  );
  const agent: ChildProcess = spawn(
    process.execPath,
    [
      ...NODE_FLAGS,
      outfile,
      "run",
      "--store",
      store,
      "--lxcpath",
      join(dir, "lxc"),
      "--device-id",
      deviceId,
      "--nats",
      nats.url,
      "--trust",
      join(dir, "trust.pem"),
      "--orchestrator-key",
      join(dir, "orch.pem"),
      "--commit-delay-ms",
      "0",
      "--quiet",
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  cleanups.push(stopContainers);
  cleanups.push(async () => {
    if (agent.exitCode !== null || agent.signalCode !== null) return;
    agent.kill("SIGTERM");
    await once(agent, "exit");
  });
  const peer = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  cleanups.push(() => void peer.kill());

  const nc = await connect({ servers: nats.url });
  const waiting = new Map<string, { status: string; resolve: (at: number) => void }>();
  const sub = nc.subscribe(`sc.dev.${deviceId}.status`);
  void (async () => {
    for await (const message of sub) {
      const report = message.json<StatusReport>();
      const wait = waiting.get(report.revision);
      if (wait && (report.status === wait.status || ["ERROR", "WONTGO"].includes(report.status))) {
        if (report.status !== wait.status) {
          console.error(
            `apply ${report.revision}: ${report.status} ${report.reason} ${report.message}`,
          );
          void teardown().finally(() => process.exit(1));
        }
        waiting.delete(report.revision);
        wait.resolve(performance.now());
      }
    }
  })();
  const until = (revision: string, status: string) =>
    new Promise<number>((resolve) => waiting.set(revision, { status, resolve }));

  // Idle = connected, watching its target, nothing to do. Start-up garbage is still resident at
  // 2 s; the figure is taken once the agent has sat idle for 10 s (the 2 s sample is printed too).
  await sleep(2000);
  const startupRss = rssMb(agent.pid!);
  await sleep(8000);
  const idleRss = rssMb(agent.pid!);
  const peerRss = rssMb(peer.pid!);

  const latencies: number[] = [];
  let rssAfterWarmup = 0;
  const rssSamples: number[] = [];
  for (let i = 1; i <= APPLIES + WARMUP; i++) {
    const { state, digest } = revisions[i % 2]!;
    const revision = `bench/${i}`;
    const started = until(revision, "TESTING");
    const target = signTarget(
      {
        deviceId,
        seq: i,
        expiresAt: new Date(Date.now() + 600_000).toISOString(),
        revision,
        stateDigest: digest,
        state,
      },
      orchestrator.privateKey,
    );
    const t0 = performance.now();
    await gateway.putTarget(target);
    const t1 = await started;
    if (i > WARMUP) latencies.push(t1 - t0);
    const finished = until(revision, "DONE");
    await finished;
    if (i === WARMUP) rssAfterWarmup = rssMb(agent.pid!);
    if (i > WARMUP && i % 20 === 0) rssSamples.push(rssMb(agent.pid!));
  }
  const rssEnd = rssMb(agent.pid!);
  const diskObjects = readdirSync(join(store, "objects")).length;

  sub.unsubscribe();
  await nc.close();
  await gateway.close();
  await teardown();

  const result = {
    bench: "agent",
    runtime: "lxc",
    node_flags: NODE_FLAGS.join(" "),
    applies: latencies.length,
    idle_rss_mb: Number(idleRss.toFixed(1)),
    idle_rss_at_2s_mb: Number(startupRss.toFixed(1)),
    peer_empty_node_rss_mb: Number(peerRss.toFixed(1)),
    bundle_kb: Math.round(bytes / 1024),
    apply_to_started_p50_ms: Math.round(percentile(latencies, 50)),
    apply_to_started_p95_ms: Math.round(percentile(latencies, 95)),
    apply_to_started_max_ms: Math.round(Math.max(...latencies)),
    rss_after_warmup_mb: Number(rssAfterWarmup.toFixed(1)),
    rss_end_mb: Number(rssEnd.toFixed(1)),
    rss_growth_mb: Number((rssEnd - rssAfterWarmup).toFixed(1)),
    rss_samples_mb: rssSamples.map((v) => Number(v.toFixed(1))),
    objects_in_store_after: diskObjects,
    targets: { idle_rss_mb: 50, bundle_kb: 2048, apply_to_started_p50_ms: 1000 },
  };
  console.log(JSON.stringify(result));
  process.exit(0);
}

main().catch(async (error) => {
  console.error(error);
  await teardown();
  process.exit(1);
});
