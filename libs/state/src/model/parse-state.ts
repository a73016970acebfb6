import { StateValidationError } from "../errors.js";
import { numberIssues } from "../json/number-text.js";
import { parseJson } from "../json/parse-json.js";
import type { State, StateIssue, StateModel } from "./types.js";
import { validateState } from "./validate-state.js";

/** Result of parsing a state: the state (when the text is JSON), every issue, and the model. */
export interface ParsedState {
  state?: State;
  errors: StateIssue[];
  model?: StateModel;
}

/** Parses and validates state JSON text (numbers keep their text) or an already-parsed object. */
export function parseState(input: string | object): ParsedState {
  let value: unknown = input;
  if (typeof input === "string") {
    try {
      value = parseJson(input);
    } catch (error) {
      if (error instanceof StateValidationError)
        return { errors: [{ key: "", reason: `not valid JSON: ${error.message}` }] };
      throw error;
    }
  }
  const validated = validateState(value);
  const { model } = validated;
  const errors = [...validated.errors, ...numberIssues(value)];
  const state =
    typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as State)
      : undefined;
  return { ...(state ? { state } : {}), errors, ...(model ? { model } : {}) };
}

/** Parses and validates, throwing one StateValidationError that lists every issue. */
export function loadState(input: string | object): { state: State; model: StateModel } {
  const { state, errors, model } = parseState(input);
  if (!state || !model || errors.length > 0) {
    const list = errors.map((e) => `${e.key || "(state)"}: ${e.reason}`).join("; ");
    throw new StateValidationError("invalid_state", `invalid state: ${list}`);
  }
  return { state, model };
}
