import { UnsafePathError } from "./errors.js";
import { assertSafePath, unsafePathReason } from "./path-safety.js";

describe("path safety", () => {
  it.each([
    ["../x", "contains a '..' segment"],
    ["a/../../x", "contains a '..' segment"],
    ["/etc/x", "absolute path"],
    ["a//b", "empty path segment"],
    ["a/", "empty path segment"],
    ["a\u0000b", "contains a NUL character"],
    ["a\nb", "contains a control character"],
    ["./a", "contains a '.' segment"],
    ["a\\..\\b", "contains a backslash"],
    ["", "empty path"],
    ["x".repeat(2000), "longer than 1024 characters"],
    [`a/${"y".repeat(300)}`, "segment longer than 255 characters"],
  ])("refuses %j", (path, reason) => {
    expect(unsafePathReason(path)).toBe(reason);
    expect(() => assertSafePath(path)).toThrow(UnsafePathError);
  });

  it.each(["bsp/run.json", "_config/c/name with spaces.txt", "#spec", "a/.hidden", "a/..b"])(
    "accepts %j",
    (path) => {
      expect(unsafePathReason(path)).toBeUndefined();
    },
  );
});
