import { ConcurrencyError, IllegalStateError } from "./errors.js";
import {
  backoffMs,
  DEFAULT_RETRY_POLICY,
  isRetryable,
  RetriesExhaustedError,
  withRetry,
} from "./retry-policy.js";

const fast = { baseDelayMs: 1, maxDelayMs: 2 };

/** Work that fails with `errors` in turn, then answers "done"; counts its attempts. */
function failingWith(...errors: unknown[]) {
  const attempts: number[] = [];
  const work = async (attempt: number) => {
    attempts.push(attempt);
    const error = errors[attempt - 1];
    if (error !== undefined) throw error;
    return "done";
  };
  return { attempts, work };
}

describe("withRetry", () => {
  it("runs the work again after version conflicts and serialization failures", async () => {
    const serialization = Object.assign(new Error("could not serialize access"), { code: "40001" });
    const deadlock = Object.assign(new Error("deadlock detected"), { code: "40P01" });
    const { attempts, work } = failingWith(new ConcurrencyError("moved"), serialization, deadlock);
    await expect(withRetry("test", work, fast)).resolves.toBe("done");
    expect(attempts).toEqual([1, 2, 3, 4]);
  });

  it("ends at once on anything else", async () => {
    const refused = new IllegalStateError("no");
    const { attempts, work } = failingWith(refused);
    await expect(withRetry("test", work, fast)).rejects.toBe(refused);
    expect(attempts).toEqual([1]);
    const broken = Object.assign(new Error("connection reset"), { code: "08006" });
    await expect(withRetry("test", failingWith(broken).work, fast)).rejects.toBe(broken);
  });

  it("gives up after maxAttempts with an error naming the work, the count and the last conflict", async () => {
    const conflicts = Array.from(
      { length: 3 },
      (_, i) => new ConcurrencyError(`conflict ${i + 1}`),
    );
    const { attempts, work } = failingWith(...conflicts);
    const error = await withRetry("command on device:a", work, { ...fast, maxAttempts: 3 }).catch(
      (e: unknown) => e,
    );
    expect(attempts).toEqual([1, 2, 3]);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect(error).toBeInstanceOf(ConcurrencyError); // still answered as a conflict (HTTP 409)
    expect((error as RetriesExhaustedError).message).toBe(
      "command on device:a: gave up after 3 attempts, each lost to a concurrent write (last: conflict 3)",
    );
    expect((error as RetriesExhaustedError).cause).toBe(conflicts[2]);
  });

  it("uses the default policy's attempts when given none", async () => {
    const conflicts = Array.from({ length: 10 }, () => new ConcurrencyError("moved"));
    const { attempts, work } = failingWith(...conflicts);
    await expect(withRetry("test", work, fast)).rejects.toThrow(RetriesExhaustedError);
    expect(attempts).toHaveLength(DEFAULT_RETRY_POLICY.maxAttempts);
  });
});

describe("backoffMs", () => {
  const policy = { maxAttempts: 10, baseDelayMs: 5, maxDelayMs: 200 };

  it("doubles from the base, capped, with up to half of each step as jitter", () => {
    expect([1, 2, 3, 6, 7, 9].map((a) => backoffMs(a, policy, () => 0))).toEqual([
      2.5, 5, 10, 80, 100, 100,
    ]);
    expect([1, 2, 3, 6, 7, 9].map((a) => backoffMs(a, policy, () => 1))).toEqual([
      5, 10, 20, 160, 200, 200,
    ]);
  });
});

describe("isRetryable", () => {
  it("holds for conflicts only", () => {
    expect(isRetryable(new ConcurrencyError("x"))).toBe(true);
    expect(isRetryable(Object.assign(new Error("x"), { code: "40001" }))).toBe(true);
    expect(isRetryable(Object.assign(new Error("x"), { code: "23505" }))).toBe(false);
    expect(isRetryable(new IllegalStateError("x"))).toBe(false);
    expect(isRetryable(undefined)).toBe(false);
  });
});
