import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { enrollmentSecretTokenId, issueEnrollmentUser } from "@statecast/nats-auth";
import { type NatsAuth, writePrivate } from "./nats-auth.js";

/** The fleet `npm start` keeps an enrollment token for. */
export const DEMO_FLEET = "demo";

/** What a device (agent) needs to enroll itself with the embedded Statecast. */
export interface DeviceEnrollment {
  readonly dir: string;
  /** An enrollment user: may only say hello (`sc.dev.*.hello`) and read its own replies. */
  readonly credsFile: string;
  readonly fleet: string;
  /** A live enrollment token of `fleet` (0600): a hello with it enrolls and approves at once. */
  readonly tokenFile: string;
}

/**
 * Writes `<dataDir>/enrollment/enrollment.creds` (once) and `demo.token`: a token of the demo
 * fleet created through the orchestrator's API with the admin token, kept across starts and
 * replaced only when it no longer exists or was revoked.
 */
export async function prepareDeviceEnrollment(options: {
  dataDir: string;
  auth: NatsAuth;
  orchestratorUrl: string;
  adminToken: string;
}): Promise<DeviceEnrollment> {
  const dir = join(options.dataDir, "enrollment");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const credsFile = join(dir, "enrollment.creds");
  if (!existsSync(credsFile)) {
    writePrivate(credsFile, (await issueEnrollmentUser(options.auth.setup)).creds);
  }
  const tokenFile = join(dir, `${DEMO_FLEET}.token`);
  const api = tokenApi(options.orchestratorUrl, options.adminToken);
  const kept = existsSync(tokenFile) ? readFileSync(tokenFile, "utf8").trim() : undefined;
  const keptId = kept === undefined ? undefined : enrollmentSecretTokenId(kept);
  const live = await api.list();
  if (!keptId || !live.some((t) => t.tokenId === keptId && t.revokedAt === null)) {
    writePrivate(tokenFile, `${await api.create()}\n`);
  }
  return { dir, credsFile, fleet: DEMO_FLEET, tokenFile };
}

function tokenApi(orchestratorUrl: string, adminToken: string) {
  const url = `${orchestratorUrl}/v1/fleets/${DEMO_FLEET}/enrollment-tokens`;
  const headers = { authorization: `Bearer ${adminToken}`, "content-type": "application/json" };
  const call = async <T>(init: RequestInit): Promise<T> => {
    const res = await fetch(url, { ...init, headers });
    if (!res.ok) {
      throw new Error(`${init.method ?? "GET"} ${url} answered ${res.status}: ${await res.text()}`);
    }
    return (await res.json()) as T;
  };
  return {
    list: () => call<{ tokenId: string; revokedAt: string | null }[]>({}),
    create: async () =>
      (await call<{ secret: string }>({ method: "POST", body: JSON.stringify({}) })).secret,
  };
}
