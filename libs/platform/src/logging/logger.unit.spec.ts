import { pino } from "pino";
import { logFormat, nestLogLevels, PinoNestLogger, prettyLineFormatter } from "./logger.js";

describe("nestLogLevels", () => {
  it("keeps the configured level and every more severe one", () => {
    expect(nestLogLevels("fatal")).toEqual(["fatal"]);
    expect(nestLogLevels("warn")).toEqual(["fatal", "error", "warn"]);
    expect(nestLogLevels("info")).toEqual(["fatal", "error", "warn", "log"]);
    expect(nestLogLevels("verbose")).toEqual(["fatal", "error", "warn", "log", "debug", "verbose"]);
  });
});

describe("log format and the Nest logger", () => {
  it("is pretty on a terminal, JSON otherwise, as LOG_FORMAT says when set", () => {
    expect(logFormat({}, { isTTY: true })).toBe("pretty");
    expect(logFormat({}, { isTTY: false })).toBe("json");
    expect(logFormat({ LOG_FORMAT: "json" }, { isTTY: true })).toBe("json");
    expect(logFormat({ LOG_FORMAT: "pretty" }, {})).toBe("pretty");
    expect(() => logFormat({ LOG_FORMAT: "xml" }, {})).toThrow(
      /LOG_FORMAT: expected json or pretty/,
    );
  });

  it("keeps Nest's per-route and per-module lines out of info, and formats a JSON line readably", () => {
    const lines: string[] = [];
    const sink = { write: (line: string) => lines.push(line) };
    const logger = new PinoNestLogger(pino({ name: "orchestrator", level: "info" }, sink));
    logger.log("Mapped {/v1/devices, GET} route", "RouterExplorer");
    logger.log("AppModule dependencies initialized", "InstanceLoader");
    logger.log("migrated the schema", "Migrations");
    logger.error("boom", "Error: boom\n    at x (y.js:1:1)", "ErrorFilter");
    expect(lines).toHaveLength(2);
    const info = JSON.parse(lines[0] as string);
    expect(info).toMatchObject({
      level: 30,
      name: "orchestrator",
      context: "Migrations",
      msg: "migrated the schema",
    });
    expect(JSON.parse(lines[1] as string)).toMatchObject({
      level: 50,
      context: "ErrorFilter",
      msg: "boom",
    });
    const pretty = prettyLineFormatter(false)(lines[0] as string);
    expect(pretty).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(orchestrator\): Migrations: migrated the schema$/,
    );
    const prefixed = prettyLineFormatter(false, { hideName: true })(lines[0] as string);
    expect(prefixed).toMatch(/^\[[\d:.]+\] INFO: Migrations: migrated the schema$/);
    expect(pretty).not.toContain("\n");
    expect(prettyLineFormatter(false)("not json")).toBe("not json");
  });
});
