import type { ExpectedVersion, Queryable } from "./postgres-event-store.js";

export type Refusal = { kind: "version_mismatch" | "newer_transaction"; message: string };

/**
 * Why the append statement matched no stream row (it wrote nothing). Only on the failure path:
 * one extra query buys an error that says what happened.
 */
export async function explainRefusal(
  db: Queryable,
  streamId: string,
  expected: ExpectedVersion,
): Promise<Refusal> {
  const { rows } = await db.query<{ version: number }>({
    name: "sc_stream_version",
    text: "SELECT version FROM streams WHERE stream_id = $1",
    values: [streamId],
  });
  const current = rows[0]?.version;
  const wanted = expected === "no_stream" ? 0 : expected;
  if (wanted !== "any" && (current ?? 0) !== wanted) {
    const actual = current === undefined ? "does not exist" : `is at version ${current}`;
    const expectation = wanted === 0 ? "not to exist" : `to be at version ${wanted}`;
    return {
      kind: "version_mismatch",
      message: `stream ${streamId} ${actual}, expected ${expectation}`,
    };
  }
  return {
    kind: "newer_transaction",
    message:
      `stream ${streamId} was last appended by a transaction newer than this one; ` +
      "retry in a new transaction (per-stream order must follow transaction ids)",
  };
}
