// A minimal QMP client (QEMU's JSON monitor protocol) over a unix socket: enough for
// `system_reset` (a power cut in tests), `query-status` and `quit`.
import { connect, type Socket } from "node:net";

export class Qmp {
  private buffer = "";
  private waiters: Array<(msg: Record<string, unknown>) => void> = [];

  private constructor(private readonly socket: Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      this.buffer += chunk;
      for (let nl = this.buffer.indexOf("\n"); nl >= 0; nl = this.buffer.indexOf("\n")) {
        const line = this.buffer.slice(0, nl).trim();
        this.buffer = this.buffer.slice(nl + 1);
        if (!line) continue;
        const msg = JSON.parse(line) as Record<string, unknown>;
        if ("event" in msg) continue;
        this.waiters.shift()?.(msg);
      }
    });
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
