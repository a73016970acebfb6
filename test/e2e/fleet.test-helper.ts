import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { PostgresEventStore } from "@statecast/events";
import pg from "pg";
import { type BusyboxPart, BusyboxStates } from "../../apps/launcher/src/demo/busybox-state.js";
import { orchestratorRegistry } from "../../apps/orchestrator/src/projections/projections.module.js";
import {
  type AgentSpec,
  eachLimited,
  enrollAgents,
  type FleetAgent,
} from "./fleet-agents.test-helper.js";
import {
  ADMIN_TOKEN,
  type Services,
  type ServicesOptions,
  startServices,
} from "./services.test-helper.js";

export type Json = Record<string, unknown>;

/** The whole system for a scenario: services, a signing release key, and connected agents. */
export interface FleetSystem {
  services: Services;
  pool: pg.Pool;
  store: PostgresEventStore;
  release: BusyboxStates;
  agents: FleetAgent[];
  api(
    path: string,
    init?: { method?: string; json?: unknown; body?: Buffer; headers?: Record<string, string> },
  ): Promise<{ status: number; body: Json }>;
  /** Builds, uploads and posts a signed revision of `fleet`; returns its number. */
  postRevision(
    fleet: string,
    parts: BusyboxPart[],
    label: string,
    files?: Record<string, Buffer>,
  ): Promise<number>;
  close(): Promise<void>;
}

export const sims = (fleet: string, count: number, prefix = "sim"): AgentSpec[] =>
  Array.from({ length: count }, (_, i) => ({
    deviceId: `${prefix}-${String(i).padStart(4, "0")}`,
    fleet,
    runtime: "sim" as const,
  }));

export const lxcs = (fleet: string, count: number): AgentSpec[] =>
  Array.from({ length: count }, (_, i) => ({
    deviceId: `lxc-${i}`,
    fleet,
    runtime: "lxc" as const,
  }));

export async function startFleet(
  specs: AgentSpec[],
  options: ServicesOptions = {},
): Promise<FleetSystem> {
  const services = await startServices(options);
  const pool = new pg.Pool({ connectionString: services.db.url, max: 4 });
  const store = new PostgresEventStore(pool, orchestratorRegistry());
  const release = new BusyboxStates();
  const api: FleetSystem["api"] = async (path, init = {}) => {
    const headers: Record<string, string> = {
      ...init.headers,
      authorization: `Bearer ${ADMIN_TOKEN}`,
    };
    if (init.json !== undefined) headers["content-type"] = "application/json";
    if (init.body) headers["content-type"] = "application/octet-stream";
    const res = await fetch(`${services.orchestrator.url}${path}`, {
      method: init.method ?? "GET",
      headers,
      ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
      ...(init.body ? { body: init.body } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Json };
  };
  const trustedFleets = new Set<string>();
  const agents = await enrollAgents(store, services.setup, join(services.dir, "devices"), specs, {
    targetKeyPem: services.targetKeyPem,
    trustPolicy: release.trustPolicy,
  });
  await eachLimited(agents, 32, (a) => a.connect(services.nats.url));
  return {
    services,
    pool,
    store,
    release,
    agents,
    api,
    async postRevision(fleet, parts, label, files = {}) {
      if (!trustedFleets.has(fleet)) {
        const pem = release.key.publicKeyPem;
        const policy = { mode: "strict", trusted: [{ name: "release", pem, keys: ["**"] }] };
        await expectStatus(
          api(`/v1/fleets/${fleet}/trust-policy`, { method: "PUT", json: policy }),
          200,
        );
        trustedFleets.add(fleet);
      }
      const { state } = release.build(parts, label, files);
      const wanted = new Set(Object.values(state).filter((v) => typeof v === "string"));
      for (const [sha, body] of release.objects) {
        if (!wanted.has(sha)) continue;
        const res = await api(`/v1/objects/${sha}`, { method: "PUT", body });
        if (res.status !== 201 && res.status !== 200)
          throw new Error(`uploading object ${sha}: ${res.status} ${JSON.stringify(res.body)}`);
      }
      const posted = await expectStatus(
        api(`/v1/fleets/${fleet}/revisions`, { method: "POST", json: { state, message: "e2e" } }),
        201,
      );
      return Number(posted.number);
    },
    async close() {
      await eachLimited(agents, 32, (a) => a.dispose());
      await store.close().catch(() => undefined);
      await pool.end().catch(() => undefined);
      await services.close();
    },
  };
}

export async function expectStatus(
  call: Promise<{ status: number; body: Json }>,
  status: number,
): Promise<Json> {
  const res = await call;
  if (res.status !== status)
    throw new Error(`expected HTTP ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Polls `check` until it returns a value, failing with `what` after `timeoutMs`. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

/** Creates and starts a rollout through the API; returns its id. */
export async function startRollout(
  system: FleetSystem,
  definition: Json,
  correlationId?: string,
): Promise<string> {
  const created = await expectStatus(
    system.api("/v1/rollouts", { method: "POST", json: definition }),
    201,
  );
  const id = String(created.rolloutId);
  await expectStatus(
    system.api(`/v1/rollouts/${id}/start`, {
      method: "POST",
      json: { reason: "e2e" },
      ...(correlationId ? { headers: { "x-correlation-id": correlationId } } : {}),
    }),
    200,
  );
  return id;
}

export function rolloutReaches(
  system: FleetSystem,
  id: string,
  status: string,
  timeoutMs = 60_000,
) {
  let last: Json = {};
  return until(
    `rollout ${id} to be ${status}`,
    async () => {
      const { body } = await system.api(`/v1/rollouts/${id}`);
      last = body;
      if (status !== "aborted" && body.status === "aborted")
        throw new Error(`rollout ${id} aborted: ${JSON.stringify(body)}`);
      return body.status === status ? body : undefined;
    },
    timeoutMs,
  ).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; last seen: ${JSON.stringify(last)}`);
  });
}

/** Each device's current revision number in the orchestrator's device registry. */
export async function currentRevisions(system: FleetSystem): Promise<Map<string, number>> {
  const { rows } = await system.pool.query<{ device_id: string; n: number | null }>(
    "SELECT device_id, (record -> 'currentRevision' ->> 'number')::int AS n FROM device_registry",
  );
  return new Map(rows.map((r) => [r.device_id, r.n ?? 0]));
}

export const BUSYBOX_APP: BusyboxPart = { name: "app", init: "exec /bin/sleep 1000000" };

/** Waits until the device registry has every device of `ids` on revision `number`. */
export function allOnRevision(
  system: FleetSystem,
  ids: string[],
  number: number,
  timeoutMs = 30_000,
) {
  return until(
    `${ids.length} devices on revision ${number}`,
    async () => {
      const revisions = await currentRevisions(system);
      return ids.every((id) => revisions.get(id) === number) ? revisions : undefined;
    },
    timeoutMs,
  );
}
