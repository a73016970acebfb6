import type { IncomingMessage, ServerResponse } from "node:http";
import type { Metrics } from "./metrics.js";

/** An Express request once routed: `route.path` is the matched pattern (`/v1/devices/:id`). */
type RoutedRequest = IncomingMessage & { route?: { path?: unknown } };

/**
 * `http_request_duration_seconds{method,route,status_code}`: every HTTP request's latency, from
 * its arrival to the last byte of its response. `route` is the matched pattern, so the series stay
 * few; requests no route matched count as `unmatched`.
 */
export function httpLatencyMiddleware(metrics: Metrics) {
  const histogram = metrics.histogram(
    "http_request_duration_seconds",
    "HTTP request latency, from arrival to the response's last byte, by route pattern.",
    ["method", "route", "status_code"],
  );
  return (req: RoutedRequest, res: ServerResponse, next: () => void): void => {
    const end = histogram.startTimer();
    res.once("finish", () => {
      const route = typeof req.route?.path === "string" ? req.route.path : "unmatched";
      end({ method: req.method ?? "", route, status_code: String(res.statusCode) });
    });
    next();
  };
}
