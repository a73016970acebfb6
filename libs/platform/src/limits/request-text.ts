import type { IncomingMessage, ServerResponse } from "node:http";

// C0 controls (NUL included) and DEL: never part of an id, a name, a filter or a cursor.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Where a request's path or query holds a control character (decoded), or undefined. */
export function controlCharacterIn(url: string): string | undefined {
  const at = url.indexOf("?");
  const path = at === -1 ? url : url.slice(0, at);
  for (const segment of path.split("/")) {
    if (CONTROL.test(decode(segment))) return "the path";
  }
  if (at === -1) return undefined;
  for (const [name, value] of new URLSearchParams(url.slice(at + 1))) {
    if (CONTROL.test(name) || CONTROL.test(value)) return `query parameter ${safeName(name)}`;
  }
  return undefined;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return "\u0000"; // malformed percent-encoding is refused alike
  }
}

const safeName = (name: string) => JSON.stringify(name.replace(CONTROL, "?").slice(0, 64));

/**
 * Express middleware for every service: a control character in the path or a query parameter
 * is refused with 400 before routing, so no handler, query or log line ever sees one.
 */
export function refuseControlCharacters(
  req: IncomingMessage,
  res: ServerResponse,
  next: () => void,
): void {
  const where = controlCharacterIn(req.url ?? "");
  if (!where) {
    next();
    return;
  }
  res.statusCode = 400;
  res.setHeader("Content-Type", "application/json");
  const message = `${where} holds a control character (U+0000-U+001F, U+007F)`;
  res.end(JSON.stringify({ statusCode: 400, error: "validation", message }));
}
