import { ValidationError } from "@statecast/events";

/** The shape a JSON request body may have, checked on its raw bytes before it is parsed. */
export interface JsonShapeLimits {
  /** Nesting of objects and arrays. */
  maxDepth: number;
  /** Members of one object, or elements of one array. */
  maxMembers: number;
}

export const JSON_SHAPE_LIMITS: JsonShapeLimits = { maxDepth: 32, maxMembers: 20_000 };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN = new Set([0x5b, 0x7b]); // [ {
const CLOSE = new Set([0x5d, 0x7d]); // ] }
const COLON = 0x3a;
const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
// Keys that reach Object.prototype through a careless merge or transformer.
const PROTOTYPE_KEYS = new Set(["__proto__", "constructor", "prototype"]);
const decoder = new TextDecoder();

/** `\u00XX` at `i` (the backslash) naming a control character other than tab, LF and CR. */
function escapedControl(text: Uint8Array, i: number): boolean {
  if (text[i + 1] !== 0x75) return false; // u
  const hex = decoder.decode(text.subarray(i + 2, i + 6));
  const code = Number.parseInt(hex, 16);
  return (
    /^[0-9a-fA-F]{4}$/.test(hex) && code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d
  );
}

function parseKey(literal: Uint8Array): string {
  try {
    return JSON.parse(decoder.decode(literal)) as string;
  } catch {
    return ""; // malformed: the parser refuses it
  }
}

/** Whether the string that ended at `end` (its closing quote) is an object key. */
function isKey(text: Uint8Array, end: number): boolean {
  let j = end + 1;
  while (j < text.length && WHITESPACE.has(text[j] as number)) j++;
  return text[j] === COLON;
}

/**
 * One linear pass over a JSON text (strings skipped): refuses nesting deeper than `maxDepth` and
 * a container with more than `maxMembers` entries, before any parser, DTO transformer or
 * validator walks it recursively (a 100,000-deep body overflowed class-transformer's stack: 500);
 * refuses `\u0000`-`\u001f` escapes other than tab, LF and CR (Postgres cannot store NUL in
 * jsonb: 500) and fields named `__proto__`, `constructor` or `prototype` (they were silently
 * dropped or reached Object.prototype). Malformed JSON is left to the parser.
 */
export function checkJsonShape(
  text: Uint8Array,
  limits: JsonShapeLimits = JSON_SHAPE_LIMITS,
): void {
  const members: number[] = [];
  let inString = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as number;
    if (inString) {
      if (c === BACKSLASH) {
        if (escapedControl(text, i))
          throw new ValidationError(
            "JSON body holds a control character (U+0000-U+001F) in a string",
          );
        i++;
      } else if (c === QUOTE) {
        inString = false;
        // Only short strings can be one of the names (escapes included): no decoding of values.
        if (i - start <= 64 && isKey(text, i)) {
          const key = parseKey(text.subarray(start, i + 1));
          if (PROTOTYPE_KEYS.has(key))
            throw new ValidationError(`JSON body has a field named ${key}`);
        }
      }
    } else if (c === QUOTE) {
      inString = true;
      start = i;
    } else if (OPEN.has(c)) {
      if (members.length >= limits.maxDepth)
        throw new ValidationError(`JSON body nested deeper than ${limits.maxDepth} levels`);
      members.push(1);
    } else if (CLOSE.has(c)) {
      members.pop();
    } else if (c === COMMA && members.length > 0) {
      const count = (members[members.length - 1] as number) + 1;
      if (count > limits.maxMembers)
        throw new ValidationError(
          `JSON body has an object or array of more than ${limits.maxMembers} entries`,
        );
      members[members.length - 1] = count;
    }
  }
}
