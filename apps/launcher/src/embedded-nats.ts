import { join } from "node:path";
import { startNatsServer } from "@statecast/infra";
import type { LauncherConfig } from "./config/launcher.config.js";
import { LogTail } from "./log-tail.js";
import { type NatsAuth, prepareNatsAuth } from "./nats-auth.js";
import { assertPortFree } from "./port-check.js";

export interface Nats {
  /** The services' NATS_URL. */
  readonly url: string;
  readonly description: string;
  /** The generated operator setup of the embedded server; undefined with NATS_URL. */
  readonly auth: NatsAuth | undefined;
  stop(): Promise<void>;
}

/**
 * NATS_URL when given (as is: no generated auth); else a nats-server child with JetStream, store
 * under `<dataDir>/nats`, in operator (JWT) mode from the setup under `<dataDir>/nats-auth`:
 * every client needs credentials, and TLS with the CA the launcher made.
 */
export async function startNats(
  config: LauncherConfig,
  log: (line: string) => void,
): Promise<Nats> {
  if (config.natsUrl) {
    return {
      url: config.natsUrl,
      description: "external (NATS_URL)",
      auth: undefined,
      stop: async () => {},
    };
  }
  const storeDir = join(config.dataDir, "nats");
  await assertPortFree(config.natsPort, "STATECAST_NATS_PORT", "the embedded nats-server");
  const auth = await prepareNatsAuth(
    config.dataDir,
    config.natsPort,
    storeDir,
    config.legacyObjectRead,
  );
  const tail = new LogTail();
  const server = await startNatsServer({
    storeDir,
    configFile: auth.configFile,
    port: config.natsPort,
    onLog: (line) => {
      tail.push(line);
      // Only problems: the server is chatty at start-up.
      if (/\[(ERR|FTL|WRN)\]/.test(line)) log(line);
    },
  }).catch((err: unknown) => {
    throw new Error(`nats-server did not start: ${(err as Error).message}\n${tail}`);
  });
  // TLS only (the generated config requires it); clients pin the CA in auth.tls.caFile.
  const url = `tls://127.0.0.1:${server.port}`;
  return {
    url,
    description: `embedded, ${url}, JetStream store in ${storeDir}, credentials required (operator setup in ${auth.dir}), TLS with the CA in ${auth.tls.caFile}`,
    auth,
    stop: () => server.stop(),
  };
}
