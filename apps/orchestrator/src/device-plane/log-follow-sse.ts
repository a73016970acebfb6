import { once } from "node:events";
import type { ServerResponse } from "node:http";
import type { LogFollow } from "./log-follow.js";

/** A comment this often keeps proxies from closing an idle stream and finds gone clients. */
const KEEPALIVE_MS = 15_000;

/**
 * Writes a follow as Server-Sent Events: `event: log` frames (`data: {"text"}`), then one
 * `event: end` (`data: {"reason"}`) when the device or the bound ends it. A client that goes
 * away closes the follow: its subscription, timers and the device's follow are released.
 */
export async function streamFollow(follow: LogFollow, response: ServerResponse): Promise<void> {
  // The response's close: sent in full, or the client went away (the request's may come early).
  response.on("close", () => follow.close());
  response.writeHead(200, {
    "Content-Type": "text/event-stream",
    "Cache-Control": "no-cache",
    Connection: "keep-alive",
    "X-Request-Id": follow.requestId,
  });
  response.write(`: following ${follow.part}\n\n`);
  const keepalive = setInterval(() => response.write(": keepalive\n\n"), KEEPALIVE_MS);
  keepalive.unref();
  try {
    for await (const frame of follow) {
      const text =
        "text" in frame
          ? `event: log\ndata: ${JSON.stringify({ text: frame.text })}\n\n`
          : `event: end\ndata: ${JSON.stringify({ reason: frame.ended })}\n\n`;
      if (response.destroyed) break;
      if (!response.write(text))
        await Promise.race([once(response, "drain"), once(response, "close")]);
    }
  } finally {
    clearInterval(keepalive);
    follow.close();
    if (!response.destroyed) response.end();
  }
}
