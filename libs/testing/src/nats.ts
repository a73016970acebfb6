import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type NatsServer, type NatsServerOptions, startNatsServer } from "@statecast/infra";

export interface TestNats extends NatsServer {
  readonly storeDir: string;
  /** Stops the server and removes its store. */
  dispose(): Promise<void>;
}

/** A private nats-server with JetStream on a free loopback port and a temporary store. */
export async function startTestNats(options: Partial<NatsServerOptions> = {}): Promise<TestNats> {
  const dir = mkdtempSync(join(tmpdir(), "statecast-nats-"));
  const storeDir = options.storeDir ?? join(dir, "js");
  const server = await startNatsServer({ ...options, storeDir });
  return {
    ...server,
    storeDir,
    dispose: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
