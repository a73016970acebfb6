/** Structured JSON log lines on stderr; every line names the runtime (`lxc` or `sim`). */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** Where log lines go; by default one JSON object per line on stderr. */
export type LogSink = (line: Record<string, unknown>) => void;

const toStderr: LogSink = (line) => process.stderr.write(`${JSON.stringify(line)}\n`);

export function createLogger(
  deviceId: string,
  runtime: "lxc" | "sim",
  quiet = false,
  sink: LogSink = toStderr,
): Logger {
  const write = (level: string, msg: string, fields?: Record<string, unknown>) => {
    if (quiet && level === "info") return;
    sink({ t: new Date().toISOString(), level, runtime, deviceId, msg, ...fields });
  };
  return {
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
  };
}
