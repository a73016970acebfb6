import { connect } from "node:net";

/** A registry that does not accept TCP connections (checked before skopeo runs). */
export class RegistryUnreachableError extends Error {
  override readonly name = "RegistryUnreachableError";
}

/** Resolves when a TCP connection to host:port opens within timeoutMs; rejects with why not. */
export function assertReachable(host: string, port: number, timeoutMs: number): Promise<void> {
  const bare = host.startsWith("[") ? host.slice(1, -1) : host;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: bare, port });
    const fail = (reason: string) => {
      socket.destroy();
      reject(
        new RegistryUnreachableError(
          `registry ${host}:${port} is unreachable (${reason}); check the address, ` +
            "that the registry runs, and your network",
        ),
      );
    };
    socket.setTimeout(timeoutMs, () => fail(`no answer within ${timeoutMs} ms`));
    socket.once("connect", () => {
      socket.destroy();
      resolve();
    });
    socket.once("error", (error) => fail(error.message));
  });
}
