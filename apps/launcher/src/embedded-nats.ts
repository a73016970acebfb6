import { join } from "node:path";
import { startNatsServer } from "@statecast/infra";
import type { LauncherConfig } from "./config/launcher.config.js";
import { LogTail } from "./log-tail.js";
import { assertPortFree } from "./port-check.js";

export interface Nats {
  /** The services' NATS_URL. */
  readonly url: string;
  readonly description: string;
  stop(): Promise<void>;
}

/** NATS_URL when given; else a nats-server child with JetStream, store under `<dataDir>/nats`. */
export async function startNats(
  config: LauncherConfig,
  log: (line: string) => void,
): Promise<Nats> {
  if (config.natsUrl) {
    return { url: config.natsUrl, description: "external (NATS_URL)", stop: async () => {} };
  }
  const storeDir = join(config.dataDir, "nats");
  await assertPortFree(config.natsPort, "STATECAST_NATS_PORT", "the embedded nats-server");
  const tail = new LogTail();
  const server = await startNatsServer({
    storeDir,
    port: config.natsPort,
    onLog: (line) => {
      tail.push(line);
      // Only problems: the server is chatty at start-up.
      if (/\[(ERR|FTL|WRN)\]/.test(line)) log(line);
    },
  }).catch((err: unknown) => {
    throw new Error(`nats-server did not start: ${(err as Error).message}\n${tail}`);
  });
  return {
    url: server.url,
    description: `embedded, ${server.url}, JetStream store in ${storeDir}`,
    stop: () => server.stop(),
  };
}
