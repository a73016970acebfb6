import { connect } from "node:net";

/** Fails with a message naming the setting when something already listens on the port. */
export async function assertPortFree(port: number, setting: string, what: string): Promise<void> {
  const inUse = await new Promise<boolean>((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
  if (inUse) {
    throw new Error(
      `port ${port} for ${what} is already in use (another Statecast still running?); ` +
        `stop it, or set ${setting} to another port`,
    );
  }
}
