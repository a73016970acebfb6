import { JsonNumber } from "../json/json-value.js";
import type { StateIssue } from "./types.js";

/** Collects every problem instead of stopping at the first. */
export class IssueList {
  readonly items: StateIssue[] = [];
  add(key: string, reason: string): void {
    this.items.push({ key, reason });
  }
}

/** A short description of a JSON value's type for error messages. */
export function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return value instanceof JsonNumber ? "a number" : "an object";
  return `a ${typeof value}`;
}
