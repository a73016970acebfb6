import fc from "fast-check";
import { canonicalJson } from "../json/canonical-json.js";
import { generateEd25519Key } from "../keys.js";
import { parseState } from "../model/parse-state.js";
import type { State } from "../model/types.js";
import { signPart } from "./sign.js";
import { verifyState } from "./verify.js";

const name = fc.stringMatching(/^[a-z][a-z0-9_-]{0,7}$/);
const objectId = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((b) => Buffer.from(b).toString("hex"));

/** A state with a part `app` (object ids and inline JSON) next to other root keys. */
const states = fc
  .record({
    objects: fc.dictionary(name, objectId, { minKeys: 1, maxKeys: 6 }),
    inline: fc.dictionary(name, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 3 }),
    others: fc.dictionary(name, objectId, { maxKeys: 3 }),
  })
  .map(({ objects, inline, others }) => {
    const state: State = { "#spec": "pantavisor-service-system@1" };
    for (const [k, v] of Object.entries(objects)) state[`app/${k}`] = v;
    for (const [k, v] of Object.entries(inline)) state[`app/${k}.json`] = v as State[string];
    for (const [k, v] of Object.entries(others)) state[`other/${k}`] = v;
    return state;
  });

describe("sign → verify properties", () => {
  const key = generateEd25519Key();
  const policy = { mode: "lenient" as const, trusted: [{ pem: key.publicKeyPem }] };

  it("a signed part verifies after a canonical round trip; any changed signed value breaks it", () => {
    fc.assert(
      fc.property(states, fc.nat(), (state, pick) => {
        const signed = signPart(state, { part: "app", privateKey: key.seed });
        const reparsed = parseState(canonicalJson(signed)).state ?? {};
        expect(verifyState(reparsed, policy).signatures[0]?.status).toBe("valid");

        const covered = Object.keys(state).filter((k) => k.startsWith("app/"));
        const victim = covered[pick % covered.length] as string;
        const tampered = {
          ...reparsed,
          [victim]: "0".repeat(64) === reparsed[victim] ? "1".repeat(64) : "0".repeat(64),
        };
        expect(verifyState(tampered, policy).signatures[0]).toMatchObject({
          key: "_sigs/app.json",
          status: "invalid",
        });

        const unrelated = { ...reparsed, "other/new": "2".repeat(64) };
        expect(verifyState(unrelated, policy).signatures[0]?.status).toBe("valid");
      }),
      { numRuns: 40 },
    );
  });
});
