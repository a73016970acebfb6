import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isJsonObject } from "../json/json-value.js";
import { parseState } from "../model/parse-state.js";
import type { State } from "../model/types.js";
import { decodeProtectedHeader } from "../pvs/jws.js";

/** The real Pantavisor fixtures (read-only, shared by every engineer). */
// The issue places them at ../shared/fixtures/pantavisor relative to the repository root.
export const FIXTURE_DIR =
  process.env.STATECAST_FIXTURES ??
  fileURLToPath(new URL("../../../../../shared/fixtures/pantavisor", import.meta.url));

/** Relative names of every fixture state, `expected/` included. */
export function fixtureStateNames(): string[] {
  const top = readdirSync(FIXTURE_DIR).filter((f) => f.endsWith(".json"));
  const expected = readdirSync(join(FIXTURE_DIR, "expected")).map((f) => `expected/${f}`);
  return [...top, ...expected].sort();
}

/** A fixture's text. */
export function fixtureText(name: string): string {
  return readFileSync(join(FIXTURE_DIR, name), "utf8");
}

/** A fixture parsed (fails the test when it does not parse). */
export function fixtureState(name: string): State {
  const { state, errors } = parseState(fixtureText(name));
  if (!state || errors.length > 0)
    throw new Error(`fixture ${name} does not parse: ${JSON.stringify(errors)}`);
  return state;
}

function pemOf(label: string, der: Buffer): string {
  const body = der
    .toString("base64")
    .match(/.{1,64}/g)
    ?.join("\n");
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

/** The certificates of a signature's x5c chain, as PEM (leaf first). */
export function x5cPems(state: State, sigKey: string): string[] {
  const entry = state[sigKey];
  if (!isJsonObject(entry) || typeof entry.protected !== "string")
    throw new Error(`${sigKey} missing`);
  const header = decodeProtectedHeader(entry.protected);
  return (header.x5c ?? []).map((c) => pemOf("CERTIFICATE", Buffer.from(c, "base64")));
}
