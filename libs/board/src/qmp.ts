// A minimal QMP client (QEMU's JSON monitor protocol) over a unix socket: enough for
// `system_reset` (a power cut in tests), `query-status`, `quit` and the SHUTDOWN event.
import { connect, type Socket } from "node:net";

export class Qmp {
  private buffer = "";
  private waiters: Array<(msg: Record<string, unknown>) => void> = [];
  private listeners: Array<(event: string, data?: Record<string, unknown>) => void> = [];

  private constructor(private readonly socket: Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.buffer += chunk;
      for (let nl = this.buffer.indexOf("\n"); nl >= 0; nl = this.buffer.indexOf("\n")) {
        const line = this.buffer.slice(0, nl).trim();
        this.buffer = this.buffer.slice(nl + 1);
        if (!line) continue;
        const msg = JSON.parse(line) as Record<string, unknown>;
        if ("event" in msg) {
          for (const l of this.listeners)
            l(String(msg.event), msg.data as Record<string, unknown> | undefined);
          continue;
        }
        this.waiters.shift()?.(msg);
      }
    });
    // A command QEMU never answered (it exited) fails instead of waiting forever.
    socket.on("close", () => {
      for (const w of this.waiters.splice(0)) w({ error: { desc: "QMP connection closed" } });
    });
    socket.on("error", () => undefined);
  }

  /** Calls `listener` with each asynchronous event (SHUTDOWN, WATCHDOG, RESET…). */
  onEvent(listener: (event: string, data?: Record<string, unknown>) => void): void {
    this.listeners.push(listener);
  }

  static async open(path: string): Promise<Qmp> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(path, () => resolve(s));
      s.once("error", reject);
    });
    const qmp = new Qmp(socket);
    await qmp.next(); // the greeting
    await qmp.command("qmp_capabilities");
    return qmp;
  }

  private next(): Promise<Record<string, unknown>> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async command(execute: string, args?: Record<string, unknown>): Promise<unknown> {
    const reply = this.next();
    this.socket.write(`${JSON.stringify({ execute, ...(args ? { arguments: args } : {}) })}\n`);
    const msg = await reply;
    if ("error" in msg) throw new Error(`QMP ${execute}: ${JSON.stringify(msg.error)}`);
    return msg.return;
  }

  close(): void {
    this.socket.destroy();
  }
}
