import { numberText } from "./canonical-json.js";
import { JsonNumber } from "./json-value.js";

/**
 * Why a number's text cannot be in a state, or undefined. A device gets the state as JSON and
 * re-parses it into JS numbers, so its digest (and a signature payload) is computed from
 * `numberText(Number(text))`: text that does not survive that round trip (`1.0`, `1e3`, `-0`,
 * `9007199254740993`) would be accepted here and refused by every device as a digest mismatch.
 */
function numberProblem(value: number | JsonNumber): string | undefined {
  if (!(value instanceof JsonNumber)) return undefined; // a JS number is written canonically
  const canonical = numberText(Number(value.text));
  if (canonical === value.text) return undefined;
  return `number ${value.text} does not survive a JSON round trip (a device reads ${canonical}): write it as ${canonical}`;
}

/**
 * Every number of a state, checked (see numberProblem): refused where the state enters (posting,
 * importing, parsing), not by every device later. Iterative: no recursion limit on nesting.
 */
export function numberIssues(root: unknown): { key: string; reason: string }[] {
  const issues: { key: string; reason: string }[] = [];
  const stack: { path: string; value: unknown }[] = [{ path: "", value: root }];
  while (stack.length > 0) {
    const { path, value } = stack.pop() as { path: string; value: unknown };
    if (typeof value === "number" || value instanceof JsonNumber) {
      const problem = numberProblem(value);
      if (problem) issues.push({ key: path.split("/")[0] ?? "", reason: `${path}: ${problem}` });
    } else if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) stack.push({ path: `${path}[${i}]`, value: item });
    } else if (typeof value === "object" && value !== null) {
      for (const [key, item] of Object.entries(value))
        stack.push({ path: path ? `${path}/${key}` : key, value: item });
    }
  }
  return issues;
}
