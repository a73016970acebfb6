// JSON values as libs/state sees them: like JSON.parse output, except that numbers parsed
// from text keep their original lexeme (JSON.parse would round 12345678901234567890).

/** A JSON number that keeps the exact text it was written with. */
export class JsonNumber {
  constructor(readonly text: string) {}
  /** The (possibly rounded) JS number; use `text` when exactness matters. */
  valueOf(): number {
    return Number(this.text);
  }
  toJSON(): number {
    return Number(this.text);
  }
}

/** Any JSON value; numbers are JS numbers (from objects) or JsonNumber (from parsed text). */
export type JsonValue = null | boolean | string | number | JsonNumber | JsonValue[] | JsonObject;

/** A JSON object. */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** True for a plain JSON object (not null, not an array, not a JsonNumber). */
export function isJsonObject(value: unknown): value is JsonObject {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof JsonNumber)
  );
}

/** The numeric value of a JS number or JsonNumber, else undefined. */
export function jsonNumberValue(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (value instanceof JsonNumber) return Number(value.text);
  return undefined;
}

/** Sets a property without triggering the `__proto__` setter. */
export function setJsonProperty(target: JsonObject, key: string, value: JsonValue): void {
  if (key === "__proto__") {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}
