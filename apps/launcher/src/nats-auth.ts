import { chmodSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  ensureOperatorSetup,
  issueServiceUser,
  type OperatorSetup,
  renderServerConfig,
  setLegacyObjectRead,
} from "@statecast/nats-auth";

/** The embedded nats-server's generated security: kept in `<dataDir>/nats-auth` across starts. */
export interface NatsAuth {
  /** The operator setup directory (seeds 0600): the gateway's STATECAST_NATS_AUTH_DIR. */
  readonly dir: string;
  readonly setup: OperatorSetup;
  /** nats-server config in operator (JWT) mode, rendered on each start. */
  readonly configFile: string;
  /** NATS_CREDS of each service: its own SERVICES user. */
  readonly creds: { readonly orchestrator: string; readonly "device-gateway": string };
}

/**
 * Creates the operator, accounts and keys on the first start and loads them afterwards; renders
 * the server config from the setup as it is now (revocations made by the gateway included), and
 * issues each service a fresh SERVICES user. `legacyObjectRead` (STATECAST_LEGACY_OBJECT_READ)
 * turns the previous release's object read on or off in the accounts first.
 */
export async function prepareNatsAuth(
  dataDir: string,
  port: number,
  storeDir: string,
  legacy = false,
): Promise<NatsAuth> {
  const dir = join(dataDir, "nats-auth");
  // Re-signed on every start: a setup of an earlier release gets the refusal for old agents' reads.
  const setup = await setLegacyObjectRead(await ensureOperatorSetup(dir), legacy);
  const configFile = join(dir, "nats-server.conf");
  writePrivate(
    configFile,
    renderServerConfig({ setup, port, storeDir, storeDirOnCommandLine: true }),
  );
  const creds = {
    orchestrator: join(dir, "orchestrator.creds"),
    "device-gateway": join(dir, "device-gateway.creds"),
  } as const;
  for (const [service, file] of Object.entries(creds)) {
    writePrivate(file, await issueServiceUser(setup, service));
  }
  return { dir, setup, configFile, creds };
}

/** Atomic write, owner-only (creds, tokens, the config naming the operator). */
export function writePrivate(path: string, text: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}
