import { roleSatisfies } from "./role.js";
import {
  bearerSecret,
  generateTokenSecret,
  hashTokenSecret,
  secretsEqual,
} from "./token-secret.js";

describe("token secrets", () => {
  it("are random, prefixed and stored as a sha256 hex hash", () => {
    const a = generateTokenSecret();
    expect(a).toMatch(/^sct_[A-Za-z0-9_-]{43}$/);
    expect(generateTokenSecret()).not.toBe(a);
    expect(hashTokenSecret(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashTokenSecret(a)).not.toContain(a);
  });

  it("compare equal only when identical", () => {
    expect(secretsEqual("abc", "abc")).toBe(true);
    expect(secretsEqual("abc", "abd")).toBe(false);
    expect(secretsEqual("abc", "abcd")).toBe(false);
  });

  it("come from a Bearer authorization header only", () => {
    expect(bearerSecret("Bearer sct_x")).toBe("sct_x");
    expect(bearerSecret("bearer  sct_x ")).toBe("sct_x");
    expect(bearerSecret("Basic abc")).toBeUndefined();
    expect(bearerSecret("Bearer")).toBeUndefined();
    expect(bearerSecret(undefined)).toBeUndefined();
  });
});

describe("roles", () => {
  it("order viewer < operator < admin", () => {
    expect(roleSatisfies("admin", "operator")).toBe(true);
    expect(roleSatisfies("operator", "operator")).toBe(true);
    expect(roleSatisfies("viewer", "operator")).toBe(false);
    expect(roleSatisfies("operator", "admin")).toBe(false);
  });
});
