import { chmodSync, renameSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import {
  ensureOperatorSetup,
  GATEWAY_FILES,
  issueServiceUser,
  type OperatorSetup,
  renderServerConfig,
  setLegacyObjectRead,
  writeGatewaySetup,
} from "@statecast/nats-auth";
import { ensureTlsFiles, type TlsFiles } from "@statecast/nats-auth/tls-setup";

/** The embedded nats-server's generated security: kept in `<dataDir>/nats-auth` across starts. */
export interface NatsAuth {
  /** The operator setup directory (every seed, the operator root included): the launcher's only. */
  readonly dir: string;
  /** The gateway's STATECAST_NATS_AUTH_DIR: only the keys it signs with (`writeGatewaySetup`). */
  readonly gatewayDir: string;
  readonly setup: OperatorSetup;
  /** nats-server config in operator (JWT) mode, rendered on each start. */
  readonly configFile: string;
  /** The server's TLS: a private CA made on the first start (`<dataDir>/nats-tls`), kept after. */
  readonly tls: TlsFiles;
  /** NATS_CREDS of each service: its own SERVICES user. */
  readonly creds: { readonly orchestrator: string; readonly "device-gateway": string };
}

/**
 * Creates the operator, accounts and keys on the first start and loads them afterwards; renders
 * the server config from the setup as it is now (revocations made by the gateway included), and
 * issues each service a fresh SERVICES user. Clients reach it over TLS only, pinning the CA. The
 * gateway gets its own directory beside it, without the operator root; its SERVICES user lives
 * there. `legacyObjectRead` (STATECAST_LEGACY_OBJECT_READ) turns the previous release's object
 * read on or off in the accounts first.
 */
export async function prepareNatsAuth(
  dataDir: string,
  port: number,
  storeDir: string,
  legacy = false,
): Promise<NatsAuth> {
  const dir = join(dataDir, "nats-auth");
  // Re-signed when it changes: a setup of an earlier release gets the refusal for old agents' reads.
  const setup = await setLegacyObjectRead(await ensureOperatorSetup(dir), legacy);
  // 10.0.2.100: the address a QEMU board (libs/board) dials its forwarded gateway port at; the
  // agent checks it against the certificate (a data dir made before keeps its certificate).
  const tls = await ensureTlsFiles(join(dataDir, "nats-tls"), [
    "localhost",
    "127.0.0.1",
    "::1",
    "10.0.2.100",
    hostname(),
  ]);
  const configFile = join(dir, "nats-server.conf");
  writePrivate(
    configFile,
    renderServerConfig({ setup, port, storeDir, storeDirOnCommandLine: true, tls }),
  );
  const gatewayDir = join(dataDir, "nats-auth-gateway");
  await writeGatewaySetup(setup, gatewayDir, "device-gateway");
  const creds = {
    orchestrator: join(dir, "orchestrator.creds"),
    "device-gateway": join(gatewayDir, GATEWAY_FILES.servicesCreds),
  } as const;
  writePrivate(creds.orchestrator, await issueServiceUser(setup, "orchestrator", "orchestrator"));
  return { dir, gatewayDir, setup, configFile, tls, creds };
}

/** Atomic write, owner-only (creds, tokens, the config naming the operator). */
export function writePrivate(path: string, text: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}
