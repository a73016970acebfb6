import { UnprocessableError, type ValidationIssue } from "@statecast/events";
import { parseState, type State, type StateModel, type VerifyReport } from "@statecast/state";
import { unverifiedHint } from "./unverified-hint.js";

/** Parses a posted state (object or JSON text); every problem is reported, each naming its key. */
export function acceptState(input: unknown): { state: State; model: StateModel } {
  if (typeof input !== "string" && (typeof input !== "object" || input === null)) {
    throw new UnprocessableError("state must be a JSON object or its JSON text", {
      details: [{ path: "state", message: "expected an object or a string" }],
    });
  }
  const { state, model, errors } = parseState(input);
  if (!state || !model || errors.length > 0) {
    const details = errors.map((e) => ({ path: `state.${e.key || "(root)"}`, message: e.reason }));
    throw new UnprocessableError(`invalid state: ${errors.length} problem(s)`, { details });
  }
  return { state, model };
}

/** Refuses a state whose objects are not all uploaded, naming each missing one and its keys. */
export function refuseMissingObjects(state: State, missing: readonly string[]): void {
  if (missing.length === 0) return;
  const lacking = new Set(missing);
  const details: ValidationIssue[] = [];
  for (const [key, value] of Object.entries(state)) {
    if (typeof value === "string" && lacking.has(value)) {
      details.push({ path: `state.${key}`, message: `object ${value} has not been uploaded` });
    }
  }
  throw new UnprocessableError(`missing objects: ${missing.join(", ")}`, { details });
}

/** Refuses a state that fails the fleet's trust policy, with the verify report as details. */
export function refuseUnverified(report: VerifyReport): void {
  if (report.ok) return;
  const details: ValidationIssue[] = [
    ...report.signatures
      .filter((s) => s.status !== "valid")
      .map((s) => ({
        path: `state.${s.key}`,
        message: `${s.status}${s.reason ? `: ${s.reason}` : ""}`,
      })),
    ...report.uncovered.map((key) => ({
      path: `state.${key}`,
      message: "not covered by a valid signature from a trusted key",
    })),
  ];
  const bad = report.signatures.filter((s) => s.status !== "valid").length;
  const hint = unverifiedHint(report);
  throw new UnprocessableError(
    `state refused by the fleet's ${report.mode} trust policy: ${bad} signature(s) not accepted, ${report.uncovered.length} key(s) uncovered${hint ? ` — ${hint}` : ""}`,
    { details },
  );
}
