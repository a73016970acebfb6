import type { IncomingMessage, ServerResponse } from "node:http";
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { contextFromTraceparent } from "./trace-context.js";

/** What Express adds to a request once a route matched. */
interface RoutedRequest extends IncomingMessage {
  baseUrl?: string;
  route?: { path?: unknown };
}

/** Probes and scrapes would flood a trace store with one-span traces. */
const UNTRACED = /^\/(health|metrics)(\/|$|\?)/;

/**
 * Express middleware: one SERVER span per request, child of the request's `traceparent` header,
 * active while the request is handled (so commands stamp it into their events' metadata) and
 * named after the matched route (`POST /v1/rollouts/:id/start`) when it ends.
 */
export function traceHttpRequests(serviceName: string) {
  const tracer = trace.getTracer(serviceName);
  return (req: RoutedRequest, res: ServerResponse, next: () => void): void => {
    const url = req.url ?? "/";
    if (UNTRACED.test(url)) {
      next();
      return;
    }
    const method = req.method ?? "GET";
    const header = req.headers.traceparent;
    const parent = contextFromTraceparent(typeof header === "string" ? header : undefined);
    const span = tracer.startSpan(
      `${method} ${url.split("?")[0]}`,
      { kind: SpanKind.SERVER, attributes: { "http.request.method": method } },
      parent,
    );
    const active = trace.setSpan(parent, span);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      const route =
        typeof req.route?.path === "string" ? `${req.baseUrl ?? ""}${req.route.path}` : "";
      if (route) {
        span.updateName(`${method} ${route}`);
        span.setAttribute("http.route", route);
      }
      span.setAttribute("http.response.status_code", res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    res.once("finish", end);
    res.once("close", end);
    // The body arrives in later events of the request: bound so its handlers see the span too.
    context.bind(active, req);
    context.bind(active, res);
    context.with(active, next);
  };
}
