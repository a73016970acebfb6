import type { JsonValue } from "../json/json-value.js";
import type { KeyKind } from "./types.js";

const SHA256_RE = /^[0-9a-f]{64}$/;

/** True for a lowercase hex sha256 object id. */
export function isObjectId(value: unknown): value is string {
  return typeof value === "string" && SHA256_RE.test(value);
}

/** How a key is interpreted, from its name and (for `.json` keys) its value. */
export function classifyKey(key: string, value: JsonValue): KeyKind {
  if (key === "#spec") return "spec";
  if (key.startsWith("_sigs/")) return "signature";
  if (key.startsWith("_config/")) return "config";
  if (key.endsWith(".json") && !isObjectId(value)) return "json";
  return "object";
}

/** The part a key belongs to: its first segment, the container of `_config/<ctr>/…`, "" at the root. */
export function partOfKey(key: string): string {
  if (key.startsWith("_sigs/")) {
    const name = key.slice("_sigs/".length);
    return name.endsWith(".json") ? name.slice(0, -".json".length) : name;
  }
  const rest = key.startsWith("_config/") ? key.slice("_config/".length) : key;
  const slash = rest.indexOf("/");
  return slash === -1 ? "" : rest.slice(0, slash);
}

/** True when the value at `key` is an object id (and not inline JSON). */
export function holdsObjectId(key: string, value: JsonValue): boolean {
  if (key === "#spec" || key.startsWith("_sigs/")) return false;
  if (key.endsWith(".json")) return isObjectId(value);
  return true;
}
