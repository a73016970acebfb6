import { nestLogLevels } from "./logger.js";

describe("nestLogLevels", () => {
  it("keeps the configured level and every more severe one", () => {
    expect(nestLogLevels("fatal")).toEqual(["fatal"]);
    expect(nestLogLevels("warn")).toEqual(["fatal", "error", "warn"]);
    expect(nestLogLevels("info")).toEqual(["fatal", "error", "warn", "log"]);
    expect(nestLogLevels("verbose")).toEqual(["fatal", "error", "warn", "log", "debug", "verbose"]);
  });
});
