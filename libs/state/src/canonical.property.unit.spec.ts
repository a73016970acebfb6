import fc from "fast-check";
import { stateDigest } from "./digest.js";
import { canonicalJson } from "./json/canonical-json.js";
import { parseJson } from "./json/parse-json.js";
import { parseState } from "./model/parse-state.js";
import type { State } from "./model/types.js";

const segment = fc
  .stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.\- ]{0,11}$/)
  .filter((s) => s !== "." && s !== "..");
const key = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join("/"));
const objectId = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((b) => Buffer.from(b).toString("hex"));
const json = fc.jsonValue({ maxDepth: 4 });

/** Generated valid states: object ids under plain keys, inline JSON under `.json` keys. */
const states = fc
  .tuple(
    fc.dictionary(key, objectId, { maxKeys: 12 }),
    fc.dictionary(
      key.map((k) => `${k}.json`),
      json,
      { maxKeys: 6 },
    ),
  )
  .map(([objects, inline]) => {
    const state: State = { "#spec": "pantavisor-service-system@1" };
    for (const [k, v] of Object.entries(objects))
      if (!k.endsWith(".json") && !k.startsWith("_")) state[k] = v;
    for (const [k, v] of Object.entries(inline))
      if (!k.startsWith("_") && !k.endsWith("/run.json")) state[k] = v as State[string];
    return state;
  })
  // A key cannot be both a file and a directory of a part's run.json-free layout; keep them plain.
  .filter(
    (s) =>
      !Object.keys(s).some(
        (k) => k.startsWith("bsp/") || k === "device.json" || k === "groups.json",
      ),
  );

describe("canonical JSON properties", () => {
  it("canonical text re-parses to the same canonical text (any JSON value)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(parseJson(text))).toBe(text);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 300 },
    );
  });

  it("parse ∘ canonical is the identity on generated states, with a stable digest", () => {
    fc.assert(
      fc.property(states, (state) => {
        const text = canonicalJson(state);
        const parsed = parseState(text);
        expect(parsed.errors).toEqual([]);
        expect(canonicalJson(parsed.state)).toBe(text);
        expect(stateDigest(parsed.state ?? {})).toBe(stateDigest(state));
      }),
      { numRuns: 200 },
    );
  });

  it("is insensitive to whitespace and key order in the input text", () => {
    fc.assert(
      fc.property(states, fc.integer({ min: 0, max: 4 }), (state, indent) => {
        const reversed = Object.fromEntries(Object.entries(state).reverse());
        const text = JSON.stringify(reversed, null, indent);
        // Same number lexemes, different layout: the canonical text must not change.
        expect(canonicalJson(parseJson(text))).toBe(
          canonicalJson(parseJson(JSON.stringify(state))),
        );
      }),
      { numRuns: 100 },
    );
  });
});
