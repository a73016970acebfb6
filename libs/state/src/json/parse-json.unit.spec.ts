import { JsonSyntaxError } from "../errors.js";
import { JsonNumber } from "./json-value.js";
import { parseJson } from "./parse-json.js";

describe("parseJson", () => {
  it("keeps number lexemes that JSON.parse would round", () => {
    const value = parseJson('{"big": 12345678901234567890, "f": 0.10000000000000000001}');
    expect(value).toEqual({
      big: new JsonNumber("12345678901234567890"),
      f: new JsonNumber("0.10000000000000000001"),
    });
  });

  it("decodes escapes including surrogate pairs", () => {
    expect(parseJson('"a\\u00e9\\ud83d\\ude00\\n\\/"')).toBe("aé😀\n/");
  });

  it.each([
    ['{"a":1,"a":2}', /duplicate key "a"/],
    ["[1,]", /unexpected character/],
    ['{"a" 1}', /expected ':'/],
    ["01", /unexpected data/],
    ['"\u0001"', /control character/],
    ['"\\x"', /bad escape/],
    ["[1] x", /unexpected data/],
    ["", /unexpected end/],
    ["-", /bad number/],
    ['"abc', /unterminated string/],
  ])("refuses %j", (text, message) => {
    expect(() => parseJson(text)).toThrow(message);
  });

  it("bounds nesting depth and length", () => {
    expect(() => parseJson("[".repeat(10_000))).toThrow(/nesting deeper than 128/);
    expect(() => parseJson("[1]", { maxLength: 2 })).toThrow(JsonSyntaxError);
  });

  it("stores a __proto__ key as data, not as the prototype", () => {
    const value = parseJson('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
