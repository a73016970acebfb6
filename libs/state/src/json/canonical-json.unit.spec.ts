import { stateDigest } from "../digest.js";
import { parseState } from "../model/parse-state.js";
import { fixtureStateNames, fixtureText } from "../testing/fixtures.test-helper.js";
import { canonicalJson, compareCodePoints } from "./canonical-json.js";
import { JsonNumber } from "./json-value.js";
import { parseJson } from "./parse-json.js";

describe("canonicalJson", () => {
  it("sorts keys, drops whitespace and keeps number text exactly", () => {
    const text =
      '{ "b": 12345678901234567890, "a": [1.50, -0, 1e400], "c": {"z": true, "y": null} }';
    expect(canonicalJson(parseJson(text))).toBe(
      '{"a":[1.50,-0,1e400],"b":12345678901234567890,"c":{"y":null,"z":true}}',
    );
  });

  it("writes JS integers without exponent and refuses non-JSON values", () => {
    expect(canonicalJson({ n: 1.5e21, m: 2 ** 53 + 2, f: 0.5, g: -74078704210363780 })).toBe(
      '{"f":0.5,"g":-74078704210363780,"m":9007199254740994,"n":1500000000000000000000}',
    );
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/NaN has no JSON form/);
    expect(() => canonicalJson({ u: undefined })).toThrow(/\/u is a undefined/);
  });

  it("uses minimal escapes", () => {
    expect(canonicalJson({ s: 'q"\\/\n\u0001<>&é😀' })).toBe('{"s":"q\\"\\\\/\\n\\u0001<>&é😀"}');
  });

  it("orders keys by code point, not UTF-16 unit", () => {
    const astral = "😀"; // U+1F600, UTF-16 starts with 0xD83D
    const bmpHigh = "\uff01"; // U+FF01
    expect(compareCodePoints(astral, bmpHigh)).toBeGreaterThan(0);
    expect(canonicalJson({ [astral]: 1, [bmpHigh]: 2 })).toBe(`{"${bmpHigh}":2,"${astral}":1}`);
  });

  it("round-trips every fixture and gives it a stable digest", () => {
    for (const name of fixtureStateNames()) {
      const state = parseState(fixtureText(name)).state;
      const canonical = canonicalJson(state);
      const again = parseState(canonical).state;
      expect(again, name).toEqual(state);
      expect(canonicalJson(again)).toBe(canonical);
      expect(stateDigest(again ?? {})).toBe(stateDigest(state ?? {}));
      expect(JSON.parse(canonical)).toEqual(JSON.parse(fixtureText(name)));
    }
  });

  it("gives a re-indented state the same digest and keeps keys with spaces", () => {
    const text = fixtureText("state_with_spaces.json");
    const state = parseState(text).state ?? {};
    const pretty = JSON.stringify(JSON.parse(text), null, 3);
    expect(stateDigest(parseState(pretty).state ?? {})).toBe(stateDigest(state));
    expect(canonicalJson(state)).toContain('"_config/container/name with spaces.txt"');
  });

  it("serialises JsonNumber by its text", () => {
    expect(canonicalJson([new JsonNumber("1.000")])).toBe("[1.000]");
  });
});
