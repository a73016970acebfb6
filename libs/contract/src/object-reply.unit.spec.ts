import {
  LEGACY_UNAVAILABLE_REASON,
  OBJECT_STATUSES,
  objectReplyKind,
  objectRetryAfterMs,
} from "./object-reply.js";

describe("objectReplyKind", () => {
  it("takes each status the gateway sends as itself", () => {
    for (const status of OBJECT_STATUSES) expect(objectReplyKind(status, "a reason")).toBe(status);
  });

  it("takes a previous-release gateway's 'try again' answer as unavailable, any other missing as final", () => {
    expect(objectReplyKind("missing", LEGACY_UNAVAILABLE_REASON)).toBe("unavailable");
    expect(objectReplyKind("missing", `object ${"a".repeat(64)} is not in sc_objects`)).toBe(
      "missing",
    );
  });

  it("takes no status or an unknown one as missing, as agents always did", () => {
    expect(objectReplyKind(undefined, "")).toBe("missing");
    expect(objectReplyKind("busy", LEGACY_UNAVAILABLE_REASON)).toBe("missing");
  });
});

describe("objectRetryAfterMs", () => {
  it("reads a whole number of ms up to a minute, nothing else", () => {
    expect(objectRetryAfterMs("250")).toBe(250);
    expect(objectRetryAfterMs("0")).toBe(0);
    for (const bad of [undefined, "", "-1", "1.5", "1e3", "60001", "999999", " 5"])
      expect(objectRetryAfterMs(bad)).toBeUndefined();
  });
});
