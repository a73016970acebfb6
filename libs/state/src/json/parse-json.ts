import { JsonSyntaxError } from "../errors.js";
import { JsonNumber, type JsonObject, type JsonValue, setJsonProperty } from "./json-value.js";

/** Limits that keep hostile input from exhausting the stack or memory. */
export interface JsonParseLimits {
  maxDepth: number;
  maxLength: number;
}

/** Defaults: states are small documents; 64 MiB and depth 128 are far above real ones. */
export const DEFAULT_JSON_LIMITS: JsonParseLimits = { maxDepth: 128, maxLength: 64 * 1024 * 1024 };

const NUMBER_RE = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/**
 * Parses JSON text keeping number lexemes (as JsonNumber) and refusing duplicate keys,
 * which JSON.parse would silently collapse (a classic signature-bypass trick).
 */
export function parseJson(text: string, limits: Partial<JsonParseLimits> = {}): JsonValue {
  const { maxDepth, maxLength } = { ...DEFAULT_JSON_LIMITS, ...limits };
  if (text.length > maxLength) {
    throw new JsonSyntaxError(`document longer than ${maxLength} characters`, maxLength);
  }
  let pos = 0;

  const fail = (message: string): never => {
    throw new JsonSyntaxError(message, pos);
  };
  const skipSpace = (): void => {
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else return;
    }
  };
  const literal = <T>(word: string, value: T): T => {
    if (!text.startsWith(word, pos)) fail("unexpected token");
    pos += word.length;
    return value;
  };

  const parseString = (): string => {
    pos++; // opening quote
    let out = "";
    let chunkStart = pos;
    for (;;) {
      if (pos >= text.length) fail("unterminated string");
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        out += text.slice(chunkStart, pos);
        pos++;
        return out;
      }
      if (c < 0x20) fail("control character in string");
      if (c !== 0x5c) {
        pos++;
        continue;
      }
      out += text.slice(chunkStart, pos);
      const e = text[pos + 1];
      pos += 2;
      switch (e) {
        case '"':
          out += '"';
          break;
        case "\\":
          out += "\\";
          break;
        case "/":
          out += "/";
          break;
        case "b":
          out += "\b";
          break;
        case "f":
          out += "\f";
          break;
        case "n":
          out += "\n";
          break;
        case "r":
          out += "\r";
          break;
        case "t":
          out += "\t";
          break;
        case "u": {
          const hex = text.slice(pos, pos + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("bad \\u escape");
          out += String.fromCharCode(Number.parseInt(hex, 16));
          pos += 4;
          break;
        }
        default:
          pos -= 2;
          fail("bad escape");
      }
      chunkStart = pos;
    }
  };

  const parseNumber = (): JsonNumber => {
    NUMBER_RE.lastIndex = pos;
    const m = NUMBER_RE.exec(text);
    if (!m) return fail("bad number");
    pos += m[0].length;
    return new JsonNumber(m[0]);
  };

  const parseValue = (depth: number): JsonValue => {
    if (depth > maxDepth) fail(`nesting deeper than ${maxDepth}`);
    skipSpace();
    const c = text[pos];
    if (c === "{") return parseObject(depth);
    if (c === "[") return parseArray(depth);
    if (c === '"') return parseString();
    if (c === "t") return literal("true", true);
    if (c === "f") return literal("false", false);
    if (c === "n") return literal("null", null);
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return parseNumber();
    return fail(c === undefined ? "unexpected end of input" : "unexpected character");
  };

  const parseArray = (depth: number): JsonValue[] => {
    pos++;
    const out: JsonValue[] = [];
    skipSpace();
    if (text[pos] === "]") {
      pos++;
      return out;
    }
    for (;;) {
      out.push(parseValue(depth + 1));
      skipSpace();
      const c = text[pos++];
      if (c === "]") return out;
      if (c !== ",") fail("expected ',' or ']'");
    }
  };

  const parseObject = (depth: number): JsonObject => {
    pos++;
    const out: JsonObject = {};
    skipSpace();
    if (text[pos] === "}") {
      pos++;
      return out;
    }
    for (;;) {
      skipSpace();
      if (text[pos] !== '"') fail("expected a string key");
      const keyAt = pos;
      const key = parseString();
      if (Object.hasOwn(out, key)) {
        pos = keyAt;
        fail(`duplicate key ${JSON.stringify(key)}`);
      }
      skipSpace();
      if (text[pos++] !== ":") fail("expected ':'");
      setJsonProperty(out, key, parseValue(depth + 1));
      skipSpace();
      const c = text[pos++];
      if (c === "}") return out;
      if (c !== ",") fail("expected ',' or '}'");
    }
  };

  const value = parseValue(0);
  skipSpace();
  if (pos < text.length) fail("unexpected data after the JSON value");
  return value;
}
