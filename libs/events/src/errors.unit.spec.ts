import {
  ConcurrencyError,
  ForbiddenError,
  IllegalStateError,
  NotFoundError,
  StatecastError,
  UnauthorizedError,
  UnprocessableError,
  ValidationError,
} from "./errors.js";

describe("error tree", () => {
  it.each([
    [new ValidationError("bad"), "validation", "ValidationError"],
    [new NotFoundError("gone"), "not_found", "NotFoundError"],
    [new IllegalStateError("no"), "illegal_state", "IllegalStateError"],
    [new ConcurrencyError("race"), "concurrency", "ConcurrencyError"],
    [new UnauthorizedError("who"), "unauthorized", "UnauthorizedError"],
    [new ForbiddenError("role"), "forbidden", "ForbiddenError"],
    [new UnprocessableError("refused"), "unprocessable", "UnprocessableError"],
  ])("%s has code %s and name %s", (error, code, name) => {
    expect(error).toBeInstanceOf(StatecastError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(code);
    expect(error.name).toBe(name);
  });

  it("counts a refusal of well-formed input as a validation error", () => {
    expect(new UnprocessableError("digest mismatch")).toBeInstanceOf(ValidationError);
  });

  it("keeps the cause and the field details", () => {
    const cause = new Error("pg said no");
    const error = new ValidationError("bad event", {
      cause,
      details: [{ path: "data.seq", message: "expected number" }],
    });
    expect(error.cause).toBe(cause);
    expect(error.details).toEqual([{ path: "data.seq", message: "expected number" }]);
    expect(new ConcurrencyError("x", { cause }).cause).toBe(cause);
  });
});
