import { metadataSchemaForTests } from "../metadata-schema.js";
import { metadataAsIs, progressAsIs, succeededAsIs } from "./as-is.js";
import { UpdateProgressReported, UpdateSucceeded } from "./device.js";

// Each predicate must accept only what its zod schema accepts AS IT IS: for every generated
// variant the predicate accepts, zod accepts it too and its output is the same JSON value.
type Value = Record<string, unknown>;

/** Every variant of `base` with one field replaced by each of `odd`, removed, or an extra key. */
function variants(base: Value, odd: unknown[], nested: Record<string, Value[]> = {}): Value[] {
  const out: Value[] = [base, { ...base, extra: 1 }];
  for (const key of Object.keys(base)) {
    const { [key]: _, ...without } = base;
    out.push(without);
    for (const v of odd) out.push({ ...base, [key]: v });
    for (const inner of nested[key] ?? []) out.push({ ...base, [key]: inner });
  }
  return out;
}

const ODD: unknown[] = [
  undefined,
  null,
  "",
  "x",
  "x".repeat(128),
  "x".repeat(129),
  "x".repeat(256),
  "x".repeat(257),
  "x".repeat(4096),
  "x".repeat(4097),
  "Has Space",
  "snake_case",
  "9starts_with_digit",
  0,
  -0,
  -1,
  1.5,
  100,
  101,
  2 ** 53 - 1,
  2 ** 53,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  [],
  {},
  "DONE",
  "UPDATED",
  "DOWNLOADING",
  "BOGUS",
  "NEW",
  Object.create(null),
];

const revisions: Value[] = variants({ fleet: "main", number: 3 }, ODD);
const cursors: Value[] = variants({ bootId: "b1", seq: 7 }, ODD);
const downloads: Value[] = [
  ...variants({ total: 10, done: 4 }, ODD),
  ...variants({ total: 10, done: 4, objects: 1, needed: 9, delta: 2, resumed: 0 }, ODD),
];

function holdsTo(
  asIs: (data: unknown) => boolean,
  parse: (data: unknown) => { success: boolean; data?: unknown },
  cases: Value[],
): number {
  let accepted = 0;
  for (const value of cases) {
    if (!asIs(value)) continue;
    accepted++;
    const parsed = parse(value);
    expect(parsed.success, JSON.stringify(value)).toBe(true);
    // The same JSON value (stored as jsonb, where key order is not kept).
    expect(JSON.parse(JSON.stringify(parsed.data))).toStrictEqual(
      JSON.parse(JSON.stringify(value)),
    );
  }
  return accepted;
}

describe("as-is checks: only what the zod schemas accept unchanged", () => {
  it("UpdateProgressReported", () => {
    const base = {
      bootId: "b1",
      seq: 3,
      revision: { fleet: "main", number: 2 },
      status: "DOWNLOADING",
      progress: 25,
    };
    const cases = [
      ...variants(base, ODD, { revision: revisions, downloads }),
      ...variants(
        { ...base, message: "ok", reason: "low_disk", downloads: { total: 1, done: 1 } },
        ODD,
        {
          revision: revisions,
          downloads,
        },
      ),
    ];
    const accepted = holdsTo(
      progressAsIs,
      (d) => UpdateProgressReported.schema.safeParse(d),
      cases,
    );
    expect(accepted).toBeGreaterThan(50);
    expect(progressAsIs(base)).toBe(true);
  });

  it("UpdateSucceeded", () => {
    const base = {
      revision: { fleet: "main", number: 2 },
      status: "DONE",
      report: { bootId: "b", seq: 1 },
    };
    const cases = [
      ...variants(base, ODD, { revision: revisions, report: cursors }),
      ...variants({ ...base, message: "kernel 6.1" }, ODD, {
        revision: revisions,
        report: cursors,
      }),
    ];
    const accepted = holdsTo(succeededAsIs, (d) => UpdateSucceeded.schema.safeParse(d), cases);
    expect(accepted).toBeGreaterThan(20);
    expect(succeededAsIs(base)).toBe(true);
  });

  it("event metadata, `now` in every form", () => {
    const base = {
      correlationId: "dev-1:boot:3",
      causationId: "dev-1:boot:3",
      actor: "device:dev-1",
      now: "2026-12-07T03:04:05.678Z",
    };
    const instants = [
      "2026-12-07T03:04:05.678Z",
      "2026-12-07T03:04:05Z",
      "2026-12-07T03:04:05.6789Z",
      "2026-12-07T03:04:05.678+01:00",
      "2026-12-07T03:04:05.678z",
      "2026-12-07 03:04:05.678Z",
      "2024-02-29T00:00:00.000Z",
      "2023-02-29T00:00:00.000Z",
      "2023-02-30T00:00:00.000Z",
      "2023-04-31T00:00:00.000Z",
      "2023-13-01T00:00:00.000Z",
      "2023-00-01T00:00:00.000Z",
      "2023-01-00T00:00:00.000Z",
      "2023-01-01T24:00:00.000Z",
      "2023-01-01T23:60:00.000Z",
      "2023-01-01T23:59:60.000Z",
      "0000-01-01T00:00:00.000Z",
      "0000-02-29T00:00:00.000Z",
      "1900-02-29T00:00:00.000Z",
      "2000-02-29T00:00:00.000Z",
      "9999-12-31T23:59:59.999Z",
      "+010000-01-01T00:00:00.000Z",
    ];
    // Real instants across the years, as toISOString writes them.
    for (let i = 0; i < 2_000; i++)
      instants.push(new Date(Math.floor(((i * 7919) % 2_000) * 5e9 - 1e12)).toISOString());
    const cases = [
      ...variants(base, ODD),
      ...variants({ ...base, traceparent: `00-${"a".repeat(32)}-${"b".repeat(16)}-01` }, ODD),
      ...instants.map((now) => ({ ...base, now })),
      ...[
        "operator:alice",
        "system:relay",
        "device:",
        "device:a b",
        "robot:x",
        `device:${"x".repeat(257)}`,
      ].map((actor) => ({ ...base, actor })),
      ...["00-abc", `00-${"A".repeat(32)}-${"b".repeat(16)}-01`].map((traceparent) => ({
        ...base,
        traceparent,
      })),
    ];
    const accepted = holdsTo(metadataAsIs, (d) => metadataSchemaForTests.safeParse(d), cases);
    expect(accepted).toBeGreaterThan(2_000);
    expect(metadataAsIs(base)).toBe(true);
    expect(metadataAsIs({ ...base, now: new Date().toISOString() })).toBe(true);
  });
});
