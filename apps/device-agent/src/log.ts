/** Structured JSON log lines on stderr; every line names the runtime (`lxc` or `sim`). */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(
  deviceId: string,
  runtime: "lxc" | "sim",
  quiet = false,
  /** Also gets every line, info included (the on-disk ring operators read remotely). */
  sink?: (line: string) => void,
): Logger {
  const write = (level: string, msg: string, fields?: Record<string, unknown>) => {
    const line = `${JSON.stringify({ t: new Date().toISOString(), level, runtime, deviceId, msg, ...fields })}\n`;
    sink?.(line);
    if (quiet && level === "info") return;
    process.stderr.write(line);
  };
  return {
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
  };
}
