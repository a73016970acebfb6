import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { readBundle } from "./bundle/read-bundle.js";
import { StateValidationError } from "./errors.js";
import { parseState } from "./model/parse-state.js";
import { verifyState } from "./pvs/verify.js";
import { FIXTURE_DIR, fixtureStateNames, fixtureText } from "./testing/fixtures.test-helper.js";
import { streamOf } from "./testing/tar.test-helper.js";

// Bounded fuzzing: hostile input may only ever produce validation errors — no crash, no hang.

function mutate(bytes: Buffer, edits: Array<[number, number, number]>): Buffer {
  const out = Buffer.from(bytes);
  for (const [where, kind, value] of edits) {
    const i = where % out.length;
    if (kind === 0) out[i] = value;
    else if (kind === 1) out[i] = (out[i] ?? 0) ^ (1 << (value % 8));
    else out.copyWithin(i, Math.min(out.length, i + (value % 16) + 1));
  }
  return out;
}

const edits = fc.array(
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 255 })),
  {
    minLength: 1,
    maxLength: 8,
  },
);

function parseAndVerify(text: string): void {
  const { state } = parseState(text);
  if (state) verifyState(state, { mode: "strict", trusted: [] });
}

async function expectOnlyValidationErrors(bytes: Buffer): Promise<void> {
  try {
    await readBundle(streamOf(bytes), { limits: { maxObjectBytes: 8 * 1024 * 1024 } });
  } catch (error) {
    if (!(error instanceof StateValidationError)) throw error;
  }
}

describe("fuzzing the parser and the bundle reader", () => {
  const fixtures = fixtureStateNames().map((n) => Buffer.from(fixtureText(n)));

  it("parses random bytes into validation errors only", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        parseAndVerify(Buffer.from(bytes).toString("utf8"));
      }),
      { numRuns: 500 },
    );
  });

  it("parses mutated fixtures (and verifies what still parses) without throwing", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: fixtures.length - 1 }), edits, (index, changes) => {
        parseAndVerify(mutate(fixtures[index] as Buffer, changes).toString("utf8"));
      }),
      { numRuns: 300 },
    );
  });

  it("reads random bytes and mutated fixture bundles into validation errors only", async () => {
    const bundle = readFileSync(join(FIXTURE_DIR, "watchdog_pinger.tar"));
    const gz = readFileSync(join(FIXTURE_DIR, "pvwificonnect.tgz")).subarray(0, 64 * 1024);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) => {
        await expectOnlyValidationErrors(Buffer.from(bytes));
      }),
      { numRuns: 100 },
    );
    await fc.assert(
      fc.asyncProperty(fc.boolean(), edits, async (useGz, changes) => {
        await expectOnlyValidationErrors(mutate(useGz ? gz : bundle, changes));
      }),
      { numRuns: 60 },
    );
  });
});
