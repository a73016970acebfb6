import { createServer } from "node:net";

/** Ports this process was handed: none is handed out twice. */
const handedOut = new Set<number>();

/**
 * A TCP port on 127.0.0.1 that nothing listens on right now, and that this process was not
 * handed before. Ports asked for one after another and bound only later (Postgres, NATS and a
 * service's HTTP port, say) could otherwise be the same one: the kernel may give a port just
 * closed again, and a launcher e2e run found its orchestrator's port taken by its own Postgres.
 */
export async function freePort(): Promise<number> {
  return distinctPort(anyFreePort, handedOut);
}

/** A port from `allocate` not in `taken`, which it joins (after 50 tries, whatever comes). */
export async function distinctPort(
  allocate: () => Promise<number>,
  taken: Set<number>,
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await allocate();
    if (!taken.has(port) || attempt >= 50) {
      taken.add(port);
      return port;
    }
  }
}

function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
