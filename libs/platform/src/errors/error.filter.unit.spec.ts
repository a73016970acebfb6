import { Controller, Get, type INestApplication, Module, Param } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import {
  ConcurrencyError,
  ForbiddenError,
  IllegalStateError,
  NotFoundError,
  RetriesExhaustedError,
  TimedOutError,
  TooBusyError,
  UnauthorizedError,
  UnprocessableError,
  ValidationError,
} from "@statecast/events";
import { ErrorFilter } from "./error.filter.js";

const failures: Record<string, () => Error> = {
  validation: () =>
    new ValidationError("state is not a JSON object", {
      details: [{ path: "bsp/run.json", message: "expected object" }],
    }),
  unprocessable: () => new UnprocessableError("object hash mismatch"),
  unauthorized: () => new UnauthorizedError("no token"),
  forbidden: () => new ForbiddenError("viewer cannot start rollouts"),
  not_found: () => new NotFoundError("rollout r1 not found"),
  illegal_state: () => new IllegalStateError("rollout r1 is completed"),
  concurrency: () => new ConcurrencyError("stream rollout:r1 moved on"),
  retries_exhausted: () =>
    new RetriesExhaustedError("rollout r1 command", 6, new ConcurrencyError("stream moved on")),
  too_busy: () => new TooBusyError("at most 4 audit requests at once per token", 2),
  timed_out: () => new TimedOutError("the query ran too long", 5),
  statement_timeout: () =>
    Object.assign(new Error("canceling statement due to statement timeout"), { code: "57014" }),
  unexpected: () => new Error("connection to 10.1.2.3 refused with password hunter2"),
};

@Controller("fail")
class FailingController {
  @Get(":kind")
  fail(@Param("kind") kind: string): never {
    const make = failures[kind];
    if (!make) throw new Error(`no failure named ${kind}`);
    throw make();
  }
}

@Module({ controllers: [FailingController] })
class FailingModule {}

describe("ErrorFilter", () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    app = await NestFactory.create(FailingModule, { logger: false, abortOnError: false });
    app.useGlobalFilters(new ErrorFilter());
    await app.listen(0, "127.0.0.1");
    base = `${await app.getUrl()}/fail`.replace("[::1]", "127.0.0.1");
  });

  afterAll(async () => {
    await app?.close();
  });

  it.each([
    ["unauthorized", 401],
    ["forbidden", 403],
    ["not_found", 404],
    ["illegal_state", 409],
    ["concurrency", 409],
    ["unprocessable", 422],
  ])("maps %s to %i with its code and message", async (kind, status) => {
    const res = await fetch(`${base}/${kind}`);
    expect(res.status).toBe(status);
    const body = await res.json();
    expect(body).toEqual({ statusCode: status, error: kind, message: failures[kind]?.().message });
  });

  it("answers a command that lost every retry as a conflict (409), saying it gave up", async () => {
    const res = await fetch(`${base}/retries_exhausted`);
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({
      statusCode: 409,
      error: "concurrency",
      message:
        "rollout r1 command: gave up after 6 attempts, each lost to a concurrent write (last: stream moved on)",
    });
  });

  it("maps a validation error to 400 with its details", async () => {
    const res = await fetch(`${base}/validation`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      statusCode: 400,
      error: "validation",
      message: "state is not a JSON object",
      details: [{ path: "bsp/run.json", message: "expected object" }],
    });
  });

  it.each([
    ["too_busy", 429, "2"],
    ["timed_out", 503, "5"],
  ])("maps %s to %i with a Retry-After", async (kind, status, retryAfter) => {
    const res = await fetch(`${base}/${kind}`);
    expect(res.status).toBe(status);
    expect(res.headers.get("retry-after")).toBe(retryAfter);
    expect(await res.json()).toEqual({
      statusCode: status,
      error: kind,
      message: failures[kind]?.().message,
    });
  });

  it("answers a Postgres statement timeout with 503 timed_out naming the setting", async () => {
    const res = await fetch(`${base}/statement_timeout`);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    const body = (await res.json()) as { message: string };
    expect(body).toMatchObject({ statusCode: 503, error: "timed_out" });
    expect(body.message).toContain("STATECAST_STATEMENT_TIMEOUT_MS");
  });

  it("answers 500 without leaking what went wrong inside", async () => {
    const res = await fetch(`${base}/unexpected`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("10.1.2.3");
    expect(JSON.parse(text)).toMatchObject({ statusCode: 500, error: "internal" });
  });
});
