import type { LoggerService, LogLevel as NestLogLevel } from "@nestjs/common";
import { pino } from "pino";
import { prettyFactory, build as prettyStream } from "pino-pretty";
import type { LogLevel } from "../config/settings.js";

const SEVERITY: readonly NestLogLevel[] = ["fatal", "error", "warn", "log", "debug", "verbose"];

/** The Nest levels at or above `level` (our `info` is Nest's `log`). */
export function nestLogLevels(level: LogLevel): NestLogLevel[] {
  const nest: NestLogLevel = level === "info" ? "log" : level;
  return SEVERITY.slice(0, SEVERITY.indexOf(nest) + 1);
}

/** `json`: one object per line (for machines); `pretty`: one readable line (for a person). */
export type LogFormat = "json" | "pretty";

/**
 * LOG_FORMAT when set (`json` or `pretty`), else `pretty` on a terminal and `json` otherwise.
 * Anything else is refused by name, like every other setting.
 */
export function logFormat(
  env: Record<string, string | undefined>,
  stream: { isTTY?: boolean },
): LogFormat {
  const given = env.LOG_FORMAT;
  if (given === undefined || given === "") return stream.isTTY ? "pretty" : "json";
  if (given === "json" || given === "pretty") return given;
  throw new Error(`LOG_FORMAT: expected json or pretty, got ${JSON.stringify(given)}`);
}

const PRETTY = {
  ignore: "pid,hostname,context",
  messageFormat: "{if context}{context}: {end}{msg}",
  translateTime: "HH:MM:ss.l",
  singleLine: true,
};

/** The one logger setup of the project: pino, JSON or pretty, at `level` (verbose = trace). */
export function createPinoLogger(name: string, level: LogLevel, format: LogFormat): pino.Logger {
  const options = { name, level: level === "verbose" ? "trace" : level };
  if (format === "json") return pino(options);
  return pino(options, prettyStream({ ...PRETTY, colorize: true, sync: true }));
}

/**
 * Formats one JSON log line of a child process (a service under the launcher) as the pretty
 * format would; a line that is not a pino object comes back unchanged.
 */
export function prettyLineFormatter(
  colorize: boolean,
  options: { hideName?: boolean } = {},
): (line: string) => string {
  const ignore = options.hideName ? `${PRETTY.ignore},name` : PRETTY.ignore;
  const format = prettyFactory({ ...PRETTY, ignore, colorize });
  return (line) => {
    if (!line.startsWith("{")) return line;
    try {
      const parsed = JSON.parse(line) as unknown;
      if (typeof parsed !== "object" || parsed === null || !("level" in parsed)) return line;
      return format(parsed).trimEnd();
    } catch {
      return line;
    }
  };
}

// Nest's start-up chatter (a line per module and per route): there when asked (debug), not at info.
const CHATTY = new Set([
  "InstanceLoader",
  "RoutesResolver",
  "RouterExplorer",
  "NestFactory",
  "NestApplication",
]);

/** Nest's LoggerService on pino: `log` is info, the last string argument is the context. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: pino.Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    const context = contextOf(rest);
    this.write(CHATTY.has(context ?? "") ? "debug" : "info", message, context);
  }
  error(message: unknown, ...rest: unknown[]): void {
    const stack = rest.find((r) => typeof r === "string" && r.includes("\n    at "));
    this.write("error", message, contextOf(rest.filter((r) => r !== stack)), stack as string);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write("warn", message, contextOf(rest));
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write("debug", message, contextOf(rest));
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write("trace", message, contextOf(rest));
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write("fatal", message, contextOf(rest));
  }

  private write(level: pino.Level, message: unknown, context?: string, stack?: string): void {
    const fields: Record<string, unknown> = {};
    if (context) fields.context = context;
    if (stack) fields.stack = stack;
    if (message instanceof Error) this.logger[level]({ ...fields, err: message }, message.message);
    else if (typeof message === "object" && message !== null)
      this.logger[level]({ ...fields, ...message });
    else this.logger[level](fields, String(message));
  }
}

function contextOf(rest: unknown[]): string | undefined {
  const last = rest.at(-1);
  return typeof last === "string" ? last : undefined;
}

/** A service's Nest logger: pino in the format LOG_FORMAT (or the terminal) asks for. */
export function createLogger(serviceName: string, level: LogLevel): LoggerService {
  const format = logFormat(process.env, process.stdout);
  return new PinoNestLogger(createPinoLogger(serviceName, level, format));
}
