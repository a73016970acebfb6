import { randomUUID } from "node:crypto";
import { createParamDecorator, type ExecutionContext } from "@nestjs/common";
import { context, propagation } from "@opentelemetry/api";
import { TRACEPARENT } from "@statecast/contract";
import { type Actor, type EventMetadata, UnauthorizedError } from "@statecast/events";
import type { AuthenticatedRequest } from "./principal.js";

/** The request's part of every event's metadata; `now` is added when the command is accepted. */
export interface CommandContext {
  actor: Actor;
  correlationId: string;
  causationId: string;
  traceparent?: string;
}

const ID = /^[A-Za-z0-9._:-]{1,128}$/;

function header(request: AuthenticatedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === "string" ? value : undefined;
}

/** Builds the command context of an authenticated request (pure but for id generation). */
export function commandContextOf(request: AuthenticatedRequest): CommandContext {
  if (!request.principal) throw new UnauthorizedError("no authenticated principal");
  const given = header(request, "x-correlation-id");
  const correlationId = given && ID.test(given) ? given : randomUUID();
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  const givenTrace = carrier.traceparent ?? header(request, "traceparent");
  const traceparent = givenTrace && TRACEPARENT.test(givenTrace) ? givenTrace : undefined;
  return {
    actor: `operator:${request.principal.name}`,
    correlationId,
    causationId: randomUUID(),
    ...(traceparent ? { traceparent } : {}),
  };
}

export function metadataOf(ctx: CommandContext, now: Date = new Date()): EventMetadata {
  return { ...ctx, now: now.toISOString() };
}

/** Injects the CommandContext of the current request into a controller method. */
export const Command = createParamDecorator((_: unknown, execution: ExecutionContext) => {
  const http = execution.switchToHttp();
  const ctx = commandContextOf(http.getRequest<AuthenticatedRequest>());
  // Echoed so a client that sent none can still find its events (GET /v1/events?correlationId=).
  http
    .getResponse<{ setHeader(name: string, value: string): void }>()
    .setHeader("x-correlation-id", ctx.correlationId);
  return ctx;
});
