import { ValidationError } from "./errors.js";
import {
  deviceStreamId,
  revisionStreamId,
  rolloutStreamId,
  streamKeyOf,
  streamTypeOf,
} from "./stream-id.js";

describe("stream ids", () => {
  it("builds one id per aggregate", () => {
    expect(deviceStreamId("dev-1")).toBe("device:dev-1");
    expect(revisionStreamId("main", 7)).toBe("revision:main:7");
    expect(rolloutStreamId("r-9")).toBe("rollout:r-9");
  });

  it("splits an id into type and key", () => {
    expect(streamTypeOf("revision:main:7")).toBe("revision");
    expect(streamKeyOf("revision:main:7")).toBe("main:7");
    expect(streamKeyOf(deviceStreamId("abc"))).toBe("abc");
  });

  it("refuses ids that cannot be parsed back", () => {
    expect(() => deviceStreamId("")).toThrow(ValidationError);
    expect(() => deviceStreamId("a:b")).toThrow(/must not contain ':'/);
    expect(() => revisionStreamId("main", -1)).toThrow(/non-negative integer/);
    expect(() => revisionStreamId("main", 1.5)).toThrow(ValidationError);
    expect(() => streamTypeOf("nocolon")).toThrow(/<type>:<key>/);
    expect(() => streamKeyOf("device:")).toThrow(ValidationError);
  });
});
