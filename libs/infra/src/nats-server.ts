import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync } from "node:fs";
import { freePort } from "./free-port.js";
import { waitForPort } from "./wait.js";

export interface NatsServerOptions {
  /** JetStream store directory; created if missing. */
  storeDir: string;
  /** Client port; a free one when omitted. */
  port?: number;
  /** A nats-server config file (accounts, JWT resolver, cluster…); flags below still apply. */
  configFile?: string;
  /** Extra command-line arguments, e.g. cluster routes. */
  args?: string[];
  /** Receives the server's own log lines. */
  onLog?: (line: string) => void;
}

export interface NatsServer {
  readonly url: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** Graceful stop (SIGTERM, then SIGKILL after a grace period). */
  stop(): Promise<void>;
  /** Abrupt stop, as a crash would be. */
  kill(): Promise<void>;
}

export function natsServerBinary(): string {
  for (const candidate of [
    "/usr/sbin/nats-server",
    "/usr/bin/nats-server",
    "/usr/local/bin/nats-server",
  ]) {
    if (existsSync(candidate)) return candidate;
  }
  return "nats-server";
}

/** Starts a nats-server child process with JetStream, bound to loopback. */
export async function startNatsServer(options: NatsServerOptions): Promise<NatsServer> {
  mkdirSync(options.storeDir, { recursive: true });
  const port = options.port ?? (await freePort());
  const args = [
    ...(options.configFile ? ["-c", options.configFile] : []),
    "-a",
    "127.0.0.1",
    "-p",
    String(port),
    "-js",
    "-sd",
    options.storeDir,
    ...(options.args ?? []),
  ];
  const child = spawn(natsServerBinary(), args, { stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (!line) continue;
      output.push(line);
      if (output.length > 50) output.shift();
      options.onLog?.(line);
    }
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = once(child, "exit");
  try {
    await Promise.race([
      waitForPort(port, 15_000),
      exited.then(() => {
        throw new Error(`nats-server exited during start-up:\n${output.join("\n")}`);
      }),
    ]);
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  }
  const stopWith = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    process: child,
    stop: () => stopWith("SIGTERM"),
    kill: () => stopWith("SIGKILL"),
  };
}
