/**
 * The device plane's contract, both ways, with each side's real builders and the other side's
 * real validation (libs/contract is the validation both use):
 * - every report the agent's journal can build — each status, each reason the agent's source
 *   can give, the download counters of a real (resumed) fetch, a real apply's trace context —
 *   as its status sender publishes it, is accepted by the gateway's `parseDeviceMessage` on the
 *   subject it goes to;
 * - the agent's hello is accepted by the gateway's hello schema;
 * - every target the gateway's envelope builder writes passes the agent's whole target check,
 *   (every hello reply the gateway gives is read with the agent's reply schema in the gateway's
 *   enrollment int tests, which run the real responder).
 */
import { createHash, generateKeyPairSync } from "node:crypto";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { createUser } from "@nats-io/nkeys";
import {
  deviceIdOfSubject,
  FINAL,
  HEALTH_KINDS,
  helloSchema,
  IN_FLIGHT,
  parseDeviceMessage,
  type StatusReport,
} from "@statecast/contract";
import { helloOf } from "../../apps/device-agent/src/enroll/enroll.js";
import { DirObjectSource } from "../../apps/device-agent/src/fetch/dir-source.js";
import { fetchMissingObjects } from "../../apps/device-agent/src/fetch/fetch-objects.js";
import { Heartbeat } from "../../apps/device-agent/src/nats/presence.js";
import { StatusSender } from "../../apps/device-agent/src/nats/status-sender.js";
import { ReportJournal } from "../../apps/device-agent/src/report/journal.js";
import type { DownloadCounters } from "../../apps/device-agent/src/report/report.js";
import { LocalStore } from "../../apps/device-agent/src/store/local-store.js";
import { checkTarget } from "../../apps/device-agent/src/target/check-target.js";
import { StateBuilder } from "../../apps/device-agent/src/testing/fixtures.test-helper.js";
import { ApplyTrace } from "../../apps/device-agent/src/trace/trace.js";
import { targetEnvelopeFor } from "../../apps/device-gateway/src/targets/target-envelope.js";

const AGENT_SRC = join(import.meta.dirname, "../../apps/device-agent/src");
const quiet = { info() {}, warn() {}, error() {} };

/** Every reason literal the agent's source reports with (refusals, apply errors, checks). */
function agentReasons(): string[] {
  const reasons = new Set(["signature_invalid", "untrusted_key", "fetch_failed"]);
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".ts") && !name.includes(".spec.") && !name.includes("test-helper")) {
        const text = readFileSync(path, "utf8");
        for (const m of text.matchAll(
          /(?:ApplyError|TargetRejected)\(\s*"([^"]+)"|reason: "([^"]+)"|\? "([a-z_]+)"\s*:\s*"([a-z_]+)"/g,
        )) {
          for (const r of m.slice(1)) if (r) reasons.add(r);
        }
      }
    }
  };
  walk(AGENT_SRC);
  return [...reasons].sort();
}

/** Published as the agent's status sender publishes: subject, payload bytes, message id. */
async function published(journal: ReportJournal) {
  const sent: { subject: string; payload: Uint8Array; msgID: string }[] = [];
  const js = {
    publish: async (subject: string, data: string, options: { msgID: string }) => {
      sent.push({ subject, payload: new TextEncoder().encode(data), msgID: options.msgID });
    },
  };
  const sender = new StatusSender(js as never, journal, quiet);
  await sender.flush();
  sender.close();
  return sent;
}

/** The counters of a real fetch that resumes one partial object (as the last DOWNLOADING). */
async function realDownloadCounters(dir: string): Promise<DownloadCounters[]> {
  const source = join(dir, "source");
  const store = new LocalStore(join(dir, "store"));
  await store.init();
  mkdirSync(source);
  const ids: string[] = [];
  for (const body of ["first object", "second, partly fetched before"]) {
    const id = createHash("sha256").update(body).digest("hex");
    writeFileSync(join(source, id), body);
    ids.push(id);
  }
  writeFileSync(join(store.partialDir, ids[1] as string), "second, ");
  const seen: DownloadCounters[] = [];
  const last = await fetchMissingObjects(store, new DirObjectSource(source), ids, {
    concurrency: 1,
    signal: new AbortController().signal,
    onProgress: (c) => seen.push(c),
  });
  expect(last.resumedBytes).toBeGreaterThan(0);
  return [...seen, last];
}

describe("agent → gateway: every report the agent can build is accepted", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync("/tmp/sc-contract-");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("each status, each reason, real download counters and trace context, both runtimes", async () => {
    const reasons = agentReasons();
    expect(reasons.length).toBeGreaterThan(8);
    const counters = await realDownloadCounters(dir);
    const trace = new ApplyTrace("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", {});
    for (const runtime of ["lxc", "sim"] as const) {
      mkdirSync(join(dir, runtime));
      const journal = new ReportJournal(join(dir, runtime), "dev-1", runtime, quiet);
      const built: StatusReport[] = [];
      const add = async (report: Promise<StatusReport>) => built.push(await report);
      for (const status of IN_FLIGHT) {
        await add(journal.report({ revision: "fleet#3", status, message: `${status} step` }));
      }
      journal.traceparent = trace.traceparent;
      for (const downloads of counters) {
        await add(
          journal.report({ revision: "fleet#3", status: "DOWNLOADING", message: "m", downloads }),
        );
      }
      journal.traceparent = undefined;
      for (const status of ["DONE", "UPDATED"] as const) {
        await add(journal.report({ revision: "fleet#3", status, message: "ok" }));
      }
      for (const status of ["WONTGO", "ERROR"] as const) {
        for (const reason of reasons) {
          await add(journal.report({ revision: "fleet#3", status, reason, message: reason }));
        }
      }
      await add(
        journal.report({
          revision: "f#1",
          status: "ERROR",
          reason: "x",
          message: "é".repeat(9000),
        }),
      );
      for (const health of HEALTH_KINDS) {
        const at = new Date().toISOString();
        const base = { revision: "fleet#3", health, count: 2, firstAt: at, lastAt: at };
        built.push((await journal.health({ ...base, message: health, part: "app" })) as never);
        built.push((await journal.health({ ...base, message: "x", exitCode: 3 })) as never);
      }
      const sent = await published(journal);
      expect(sent).toHaveLength(built.length);
      expect(FINAL.every((s) => built.some((r) => r.status === s))).toBe(true);
      for (const { subject, payload, msgID } of sent) {
        const deviceId = deviceIdOfSubject(subject, "status");
        expect(deviceId).toBe("dev-1");
        const parsed = parseDeviceMessage(payload, deviceId as string);
        expect(parsed.ok ? "accepted" : parsed.detail).toBe("accepted");
        if (parsed.ok && parsed.message.kind === "progress") {
          expect(msgID).toBe(`dev-1:${parsed.message.bootId}:${parsed.message.seq}`);
        }
      }
    }
  });

  it("prevSeq chains the reports it sends past kept-back ones; the previous release's shape too", async () => {
    const journal = new ReportJournal(dir, "dev-1", "lxc", quiet);
    const at = new Date().toISOString();
    const health = { health: "board_rebooted", count: 1, firstAt: at, lastAt: at } as const;
    await journal.report({ revision: "factory", status: "DONE", message: "pre-staged" });
    await journal.report({ revision: "fleet#3", status: "QUEUED", message: "q" });
    await journal.health({ ...health, revision: "factory", message: "local" });
    await journal.health({ ...health, revision: "fleet#3", message: "rebooted" });
    await journal.report({ revision: "bundle:ab12", status: "DONE", message: "usb" });
    await journal.report({ revision: "fleet#3", status: "ERROR", reason: "x", message: "e" });
    const sent = await published(journal);
    const wire = sent.map(({ payload }) => JSON.parse(new TextDecoder().decode(payload)));
    expect(wire.map((r) => [r.seq, r.prevSeq])).toEqual([
      [2, 0],
      [4, 2],
      [6, 4],
    ]);
    for (const report of wire) {
      const { prevSeq: _, ...previousRelease } = report;
      for (const shape of [report, previousRelease]) {
        const parsed = parseDeviceMessage(new TextEncoder().encode(JSON.stringify(shape)), "dev-1");
        expect(parsed.ok ? "accepted" : parsed.detail).toBe("accepted");
      }
    }
  });

  it("the heartbeat its presence sends", async () => {
    const sent: { subject: string; data: string }[] = [];
    const js = { publish: async (subject: string, data: string) => sent.push({ subject, data }) };
    const beat = { deviceId: "dev-1", bootId: "b-1", agentVersion: "0.1.0" };
    for (const given of [beat, { deviceId: "dev-1", bootId: "b-1" }]) {
      await new Heartbeat(js as never, given, quiet, 0).send();
    }
    expect(sent).toHaveLength(2);
    for (const { subject, data } of sent) {
      const parsed = parseDeviceMessage(new TextEncoder().encode(data), "dev-1");
      expect(parsed.ok ? parsed.message.kind : parsed.detail).toBe("heartbeat");
      expect(deviceIdOfSubject(subject, "status")).toBe("dev-1");
    }
  });

  it("the hello, with and without an enrollment token", () => {
    const publicKey = createUser().getPublicKey();
    for (const hello of [
      helloOf("dev-1", publicKey, "lab"),
      helloOf("d", publicKey, "lab", "sce_x"),
    ]) {
      expect(helloSchema.safeParse(JSON.parse(JSON.stringify(hello))).success).toBe(true);
    }
  });
});

describe("gateway → agent: what the gateway writes is read by the agent", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync("/tmp/sc-contract-");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("every target the envelope builder writes passes the agent's whole target check", () => {
    const states = new StateBuilder(dir);
    const { state, digest } = states.build([]);
    const key = generateKeyPairSync("ed25519");
    const assignedAt = new Date().toISOString();
    const variants = [
      { revision: { fleet: "lab", number: 1 }, digest, seq: 1 },
      {
        revision: { fleet: "lab.v2-x_y", number: 0 },
        digest,
        seq: 7,
        rolloutId: "r-1",
        waveIndex: 0,
      },
      { revision: { fleet: "lab", number: 2 }, digest, seq: 2, expiresAt: "2999-01-01T00:00:00Z" },
    ];
    for (const [i, assigned] of variants.entries()) {
      const traceparent =
        i === 0 ? undefined : "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
      const envelope = targetEnvelopeFor(
        "dev-1",
        assigned,
        state,
        { assignedAt, traceparent },
        key.privateKey,
      );
      const onTheWire = JSON.parse(JSON.stringify(envelope));
      expect(() =>
        checkTarget(onTheWire, {
          deviceId: "dev-1",
          lastSeq: 0,
          lastSeqSettled: true,
          now: new Date(),
          orchestratorKeys: [key.publicKey],
          trustPolicy: states.trustPolicy,
        }),
      ).not.toThrow();
    }
  });
});
