import { readFile } from "node:fs/promises";
import { jetstream } from "@nats-io/jetstream";
import { type ConnectionOptions, connect, type NatsConnection } from "@nats-io/transport-node";
import type { TargetEnvelope } from "@statecast/contract";
import { deviceConnectionOptions, deviceInboxPrefix, followOwnTarget } from "@statecast/nats-auth";
import type { Agent } from "../agent/agent.js";
import type { AgentSettings } from "../config.js";
import { MetricsCollector } from "../metrics/metrics-collector.js";
import type { HostReadings } from "../metrics/proc-readings.js";
import { CredentialsRenewal, type RenewalOptions } from "./credentials-renewal.js";
import { LogsResponder } from "./logs-responder.js";
import { MetricsPublisher, metricsIntervalMs } from "./metrics-publisher.js";
import { NatsObjectSource } from "./nats-object-source.js";
import { ExpiredTargetHold, Heartbeat } from "./presence.js";
import { listenForBackoff, StatusSender } from "./status-sender.js";

export interface ConnectedOptions {
  /** One NATS URL, or several separated by commas (every node of a cluster). */
  natsUrl: string;
  /** PEM of the pinned NATS CA: TLS required, only this CA trusted. */
  natsCa?: string;
  creds?: string;
  /** The `slow download` fault for tests and sim: object bytes per second. */
  downloadBytesPerSecond?: number;
  /**
   * JetStream API prefix the device's account sees (default `$JS.API`); a device account
   * that imports JetStream from the services account names it here.
   */
  jsApiPrefix?: string;
  /** Upper bound of the reconnect backoff (default 30 s). */
  reconnectMaxDelayMs?: number;
  /** Heartbeat interval (default 30 s; 0: only at connect and reconnect). */
  heartbeatMs?: number;
  /** How long an expired target waits for a refreshed one before it is refused (default 60 s). */
  expiredTargetGraceMs?: number;
  /** Metrics interval (default 15 s, never below 5 s; 0: no metrics). */
  metricsIntervalMs?: number;
  /** What the metrics read of the host (default: /proc at every collection). */
  hostReadings?: HostReadings;
  /** Renew expiring creds through the hello (the fleet it names, where the creds are stored). */
  renewal?: Omit<RenewalOptions, "deviceId">;
}

/** Reconnect delay: exponential backoff from 250 ms up to `maxMs` with full jitter. */
export function reconnectDelay(attempt: number, maxMs = 30_000, random = Math.random): number {
  return Math.round(random() * Math.min(maxMs, 250 * 2 ** Math.min(attempt, 10)));
}

/**
 * The agent's NATS side: watches its own `sc_targets` key, fetches objects from
 * `sc_objects`, and sends the report journal to `sc.dev.<id>.status`, replaying after a
 * reconnect. Returns a handle to stop it.
 */
export async function connectAgent(agent: Agent, options: ConnectedOptions) {
  const deviceId = agent.config.deviceId;
  let attempt = 0;
  const renewal =
    options.creds && options.renewal
      ? new CredentialsRenewal(options.creds, { ...options.renewal, deviceId }, agent.log)
      : undefined;
  const connection: ConnectionOptions = {
    // A single string would be taken as ONE server: give the client each node of a cluster.
    servers: options.natsUrl
      .split(",")
      .map((url) => url.trim())
      .filter((url) => url.length > 0),
    name: `statecast-agent ${deviceId}`,
    reconnect: true,
    maxReconnectAttempts: -1,
    waitOnFirstConnect: true,
    // As the services (platform's NatsModule): no Error built ahead of every request in case it
    // fails (4.4 % of bench:fleet's load generator CPU, 1,000 agents); failures still say what.
    noAsyncTraces: true,
    reconnectDelayHandler: () => reconnectDelay(attempt++, options.reconnectMaxDelayMs),
    ...(options.natsCa ? { tls: { ca: options.natsCa } } : {}),
    ...(options.creds
      ? deviceConnectionOptions(renewal?.current ?? options.creds, deviceId)
      : { inboxPrefix: deviceInboxPrefix(deviceId) }),
  };
  const nc: NatsConnection = await connect(connection);
  agent.gateway.connected();
  renewal?.start(nc);
  // Opened the way a device's permissions allow: no API-info probes.
  const js = jetstream(nc, {
    checkAPI: false,
    ...(options.jsApiPrefix ? { apiPrefix: options.jsApiPrefix } : {}),
  });
  const source = new NatsObjectSource(
    nc,
    deviceId,
    agent.store.partialDir,
    options.downloadBytesPerSecond,
  );
  const sender = new StatusSender(js, agent.journal, agent.log);
  const backoff = listenForBackoff(nc, deviceId, sender, agent.log);
  void sender.flush();
  const heartbeat = new Heartbeat(
    js,
    { deviceId, bootId: agent.journal.bootId },
    agent.log,
    options.heartbeatMs,
  );
  heartbeat.start();
  const hold = new ExpiredTargetHold(options.expiredTargetGraceMs);
  const logs = new LogsResponder(nc, deviceId, agent.logs, agent.log);
  logs.start();
  const metrics = startMetrics(agent, nc, options.metricsIntervalMs, options.hostReadings);
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === "reconnect") {
        attempt = 0;
        agent.gateway.connected();
        agent.log.info("reconnected; replaying pending reports");
        void heartbeat.send();
        void metrics.send();
        void sender.reconnected();
      } else if (status.type === "disconnect") {
        agent.gateway.lost();
        agent.log.warn("disconnected from the gateway");
      }
    }
  })();
  // No consumer (issue 16): direct gets of its own key, on the gateway's change messages, after
  // every reconnect and every minute; each value taken only if its KV revision is newer.
  const watcher = await followOwnTarget(nc, deviceId, {
    apiPrefix: options.jsApiPrefix ?? "$JS.API",
    warn: (message, fields) => agent.log.warn(message, fields),
  });
  const applying = (async () => {
    for await (const entry of watcher) {
      if (entry.operation !== "PUT") continue;
      let envelope: TargetEnvelope;
      try {
        envelope = entry.json<TargetEnvelope>();
      } catch (error) {
        // No revision to name, so no report can refuse it: the gateway never writes one of these.
        agent.log.error("target refused unreported: it is not JSON", {
          error: (error as Error).message,
        });
        continue;
      }
      // The watch starts with the key's current value: after a restart or a reconnect that is
      // the target this device already settled, which is no news (a WONTGO for it would reach
      // the gateway only to be dropped as settled).
      const record = await agent.store.readRecord();
      if (envelope?.seq === record.lastSeq && record.lastSeqSettled) {
        agent.log.info("target already applied; nothing to do", { seq: envelope.seq });
        continue;
      }
      const apply = () =>
        void agent
          .applyTarget(envelope, source)
          .catch((error) => agent.log.error("apply crashed", { error: (error as Error).message }));
      hold.offer((envelope as { expiresAt?: unknown } | null)?.expiresAt, apply, agent.log);
    }
  })();
  return {
    nc,
    sender,
    logs,
    renewal,
    async close() {
      renewal?.stop();
      agent.gateway.detach();
      heartbeat.stop();
      hold.stop();
      logs.stop();
      metrics.stop();
      watcher.stop();
      backoff.unsubscribe();
      sender.close();
      await applying.catch(() => undefined);
      await nc.drain().catch(() => undefined);
    },
  };
}

function startMetrics(
  agent: Agent,
  nc: NatsConnection,
  asked: number | undefined,
  readings: HostReadings | undefined,
) {
  const intervalMs = metricsIntervalMs(asked);
  const collector = new MetricsCollector({
    ...(readings ? { readings } : {}),
    deviceId: agent.config.deviceId,
    bootId: agent.journal.bootId,
    runtime: agent.config.runtime,
    storeDir: agent.store.root,
    committed: () => agent.committedRevision,
    restartsOf: (name) => agent.recovery.restartsOf(name),
    intervalSeconds: Math.round(intervalMs / 1000),
  });
  const publisher = new MetricsPublisher(
    nc,
    agent.config.deviceId,
    collector,
    agent.log,
    intervalMs,
  );
  publisher.start();
  return publisher;
}

/** The device's creds: from `--creds`, or enrolled through the hello protocol the first time. */
async function deviceCreds(agent: Agent, settings: AgentSettings): Promise<string | undefined> {
  if (!settings.credsFile) return undefined;
  const stored = await readFile(settings.credsFile, "utf8").catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT" && settings.enrollment) return undefined;
      throw error;
    },
  );
  if (stored !== undefined || !settings.enrollment) return stored;
  const { enroll } = await import("../enroll/enroll.js");
  return enroll({
    ...settings.enrollment,
    natsUrl: settings.natsUrl!,
    ...(settings.natsCa ? { natsCa: settings.natsCa } : {}),
    deviceId: agent.config.deviceId,
    credsFile: settings.credsFile,
    log: agent.log,
  });
}

/** `statecast-agent run`: enrolled if needed, then connected until SIGTERM/SIGINT. */
export async function runConnected(agent: Agent, settings: AgentSettings): Promise<number> {
  const creds = await deviceCreds(agent, settings);
  const handle = await connectAgent(agent, {
    natsUrl: settings.natsUrl!,
    ...(settings.natsCa ? { natsCa: settings.natsCa } : {}),
    downloadBytesPerSecond: settings.downloadBytesPerSecond,
    metricsIntervalMs: settings.metricsIntervalMs,
    ...(settings.jsApiPrefix ? { jsApiPrefix: settings.jsApiPrefix } : {}),
    ...(creds ? { creds } : {}),
    // Expiring creds are renewed with a hello naming the device's fleet (known from enrollment).
    ...(settings.enrollment
      ? { renewal: { fleet: settings.enrollment.fleet, credsFile: settings.credsFile } }
      : {}),
  });
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
  await handle.close();
  await agent.stop();
  return 0;
}
