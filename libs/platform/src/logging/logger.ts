import { ConsoleLogger, type LogLevel as NestLogLevel } from "@nestjs/common";
import type { LogLevel } from "../config/settings.js";

const SEVERITY: readonly NestLogLevel[] = ["fatal", "error", "warn", "log", "debug", "verbose"];

/** The Nest levels at or above `level` (our `info` is Nest's `log`). */
export function nestLogLevels(level: LogLevel): NestLogLevel[] {
  const nest: NestLogLevel = level === "info" ? "log" : level;
  return SEVERITY.slice(0, SEVERITY.indexOf(nest) + 1);
}

/** One JSON object per line on stdout, filtered by the configured level. */
export function createLogger(serviceName: string, level: LogLevel): ConsoleLogger {
  return new ConsoleLogger(serviceName, { json: true, logLevels: nestLogLevels(level) });
}
