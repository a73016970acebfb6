/**
 * Hostile inputs for every operation of an OpenAPI document: the sweep in
 * hostile-input.int.spec.ts builds its requests from the document, so a new route is swept too.
 */

type Schema = {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  allOf?: Schema[];
};
type Parameter = { name: string; in: "path" | "query" | "header"; schema?: Schema };
type Operation = {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
};
export type OpenApiDocument = {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
};

export interface HostileRequest {
  what: string;
  method: string;
  path: string;
  body?: string;
  contentType?: string;
}

/** Values each path or query parameter is given in turn (any string is invalid with these). */
export const HOSTILE_VALUES: Record<string, string> = {
  "NUL character": "a\u0000b",
  "control character": "a\u0001\u001fb",
  "escape sequence": "\u001b[31mred",
  "very long string": "x".repeat(10_000),
};
/** ... and an integer parameter these too. */
export const HOSTILE_INTEGERS: Record<string, string> = {
  "integer above 2^63": "99999999999999999999999",
  "integer above 2^53": "9007199254740993",
  "integer above 2^31": "2147483648",
  "negative integer": "-1",
  fraction: "1.5",
  exponent: "1e3",
};

const DEPTH = 100_000;
/** Bodies every operation that takes one is sent (each under the 16 MiB body limit). */
export const HOSTILE_BODIES: Record<string, string> = {
  "deeply nested arrays": `${"[".repeat(DEPTH)}${"]".repeat(DEPTH)}`,
  "deeply nested objects": `${'{"a":'.repeat(DEPTH)}1${"}".repeat(DEPTH)}`,
  "object with 30k keys": JSON.stringify(
    Object.fromEntries(Array.from({ length: 30_000 }, (_, i) => [`k${i}`, i])),
  ),
  "array of 100k elements": `[${Array(100_000).fill(0).join(",")}]`,
  "100k one-key objects": `[${Array(100_000).fill('{"a":[]}').join(",")}]`,
  "unknown field": JSON.stringify({ notAField: 1 }),
  "prototype-named fields": '{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}}}',
  "escaped prototype-named field": '{"\\u005f_proto__":{"polluted":1}}',
};

/** A plausible value for a parameter, so the other parameter is the one under test. */
function plausible(name: string): string {
  if (name === "fleet") return "main";
  if (/number|seq|version/i.test(name)) return "1";
  return "x1";
}

function resolve(doc: OpenApiDocument, schema: Schema | undefined, depth = 0): Schema {
  if (!schema || depth > 8) return {};
  if (schema.$ref)
    return resolve(doc, doc.components?.schemas?.[schema.$ref.split("/").pop()!], depth + 1);
  if (schema.allOf) return resolve(doc, schema.allOf[0], depth + 1);
  return schema;
}

/** The body the schema describes, with every leaf replaced by something hostile. */
function hostileFor(doc: OpenApiDocument, schema: Schema | undefined, depth = 0): unknown {
  const s = resolve(doc, schema);
  if (depth > 4) return "a\u0000b";
  switch (s.type) {
    case "object":
      return Object.fromEntries(
        Object.entries(s.properties ?? {}).map(([k, v]) => [k, hostileFor(doc, v, depth + 1)]),
      );
    case "array":
      return [hostileFor(doc, s.items, depth + 1)];
    case "integer":
    case "number":
      return 1e21;
    case "boolean":
      return true;
    default:
      return "ctl\u0000\u0007\u001b[31m";
  }
}

const substitute = (template: string, values: Record<string, string>) =>
  template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? ""));

/** Every hostile request for every operation of `doc`. */
export function hostileRequests(doc: OpenApiDocument): HostileRequest[] {
  const out: HostileRequest[] = [];
  for (const [template, operations] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(operations)) {
      const verb = method.toUpperCase();
      const params = op.parameters ?? [];
      const base = Object.fromEntries(
        params.filter((p) => p.in === "path").map((p) => [p.name, plausible(p.name)]),
      );
      const jsonBody = op.requestBody?.content?.["application/json"];
      // Parameters under test get a valid body shape where one is needed: an empty object.
      const neutral = jsonBody ? { body: "{}", contentType: "application/json" } : {};
      for (const p of params) {
        const integer = ["integer", "number"].includes(resolve(doc, p.schema).type ?? "");
        const values = { ...HOSTILE_VALUES, ...(integer ? HOSTILE_INTEGERS : {}) };
        for (const [what, value] of Object.entries(values)) {
          if (p.in === "path") {
            const path = substitute(template, { ...base, [p.name]: value });
            out.push({
              what: `${verb} ${template}: ${p.name} = ${what}`,
              method: verb,
              path,
              ...neutral,
            });
          } else if (p.in === "query") {
            const path = `${substitute(template, base)}?${p.name}=${encodeURIComponent(value)}`;
            out.push({
              what: `${verb} ${template}: ?${p.name} = ${what}`,
              method: verb,
              path,
              ...neutral,
            });
          }
        }
      }
      if (!jsonBody) continue;
      const path = substitute(template, base);
      const withControls = JSON.stringify(hostileFor(doc, jsonBody.schema));
      // A body of booleans only (e.g. `{dryRun}`) has no string to poison: that case is vacuous.
      const bodies = withControls.includes("\\u0000")
        ? { ...HOSTILE_BODIES, "control characters in every string": withControls }
        : HOSTILE_BODIES;
      for (const [what, body] of Object.entries(bodies)) {
        out.push({
          what: `${verb} ${template}: body ${what}`,
          method: verb,
          path,
          body,
          contentType: "application/json",
        });
      }
    }
  }
  return out;
}
