import {
  canonicalJson,
  compareCodePoints,
  isJsonObject,
  JsonNumber,
  type JsonValue,
} from "@statecast/state";

/** One change inside a JSON document, addressed by JSON Pointer (RFC 6901). */
export interface JsonChange {
  op: "add" | "remove" | "replace";
  pointer: string;
  before?: JsonValue;
  after?: JsonValue;
}

/** The changes that turn `a` into `b`: objects key by key, arrays index by index. */
export function diffJson(a: JsonValue, b: JsonValue, pointer = ""): JsonChange[] {
  if (canonicalJson(a) === canonicalJson(b)) return [];
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort(compareCodePoints);
    return keys.flatMap((key) => {
      const at = `${pointer}/${escapePointer(key)}`;
      if (!(key in b)) return [{ op: "remove" as const, pointer: at, before: a[key] as JsonValue }];
      if (!(key in a)) return [{ op: "add" as const, pointer: at, after: b[key] as JsonValue }];
      return diffJson(a[key] as JsonValue, b[key] as JsonValue, at);
    });
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const changes: JsonChange[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const at = `${pointer}/${i}`;
      if (i >= b.length) changes.push({ op: "remove", pointer: at, before: a[i] as JsonValue });
      else if (i >= a.length) changes.push({ op: "add", pointer: at, after: b[i] as JsonValue });
      else changes.push(...diffJson(a[i] as JsonValue, b[i] as JsonValue, at));
    }
    return changes;
  }
  return [{ op: "replace", pointer, before: a, after: b }];
}

/** Indented JSON that keeps number text exactly (JSON.stringify would round big numbers). */
export function prettyJson(value: JsonValue, indent = ""): string {
  if (value instanceof JsonNumber || typeof value !== "object" || value === null)
    return canonicalJson(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => inner + prettyJson(v, inner)).join(",\n")}\n${indent}]`;
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return "{}";
  const lines = keys.map(
    (k) => `${inner}${JSON.stringify(k)}: ${prettyJson(value[k] as JsonValue, inner)}`,
  );
  return `{\n${lines.join(",\n")}\n${indent}}`;
}

function escapePointer(key: string): string {
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}
