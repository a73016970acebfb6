import { StateValidationError } from "../errors.js";
import { JsonNumber } from "./json-value.js";

// Canonical form: keys sorted by code point, no whitespace, the minimal escapes that
// JSON.stringify also produces, number text kept as written, integers without exponent.

/** Orders strings by Unicode code point (UTF-16 order differs above U+FFFF). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (astral code point) sorts after every BMP character above it in UTF-16.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

// JS numbers (from objects, not parsed text): the shortest round-trip digits, as
// JSON.stringify writes them, but integers spelled out instead of in exponent form.
export function numberText(n: number): string {
  if (!Number.isFinite(n)) {
    throw new StateValidationError("json_unsupported", `number ${n} has no JSON form`);
  }
  const text = String(n);
  const match = /^(-?)(\d)(?:\.(\d+))?e\+(\d+)$/.exec(text);
  if (!match || !Number.isInteger(n)) return text;
  const [, sign, lead, fraction = "", exponent] = match;
  return `${sign}${lead}${fraction}${"0".repeat(Number(exponent) - fraction.length)}`;
}

function write(value: unknown, out: string[], path: string): void {
  if (value === null) out.push("null");
  else if (typeof value === "string") out.push(JSON.stringify(value));
  else if (typeof value === "boolean") out.push(value ? "true" : "false");
  else if (typeof value === "number") out.push(numberText(value));
  else if (value instanceof JsonNumber) out.push(value.text);
  else if (Array.isArray(value)) {
    out.push("[");
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(",");
      write(value[i], out, `${path}[${i}]`);
    }
    out.push("]");
  } else if (typeof value === "object") {
    const keys = Object.keys(value).sort(compareCodePoints);
    out.push("{");
    let first = true;
    for (const key of keys) {
      if (!first) out.push(",");
      first = false;
      out.push(JSON.stringify(key), ":");
      write((value as Record<string, unknown>)[key], out, `${path}/${key}`);
    }
    out.push("}");
  } else {
    throw new StateValidationError(
      "json_unsupported",
      `value at ${path || "/"} is a ${typeof value}, which has no JSON form`,
    );
  }
}

/** The canonical JSON text of a value (throws StateValidationError for non-JSON values). */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  write(value, out, "");
  return out.join("");
}
