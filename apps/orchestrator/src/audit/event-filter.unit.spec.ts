import { buildEventPageQuery } from "./event-filter.js";

describe("buildEventPageQuery", () => {
  it("always applies the snapshot rule and read-all order", () => {
    const { text, values } = buildEventPageQuery({}, undefined, 50);
    expect(text).toContain("transaction_id < pg_snapshot_xmin(pg_current_snapshot())");
    expect(text).toMatch(/ORDER BY transaction_id, global_position LIMIT \$1$/);
    expect(values).toEqual([50]);
  });

  it("binds every filter as a parameter, never as SQL text", () => {
    const hostile = "x' OR 1=1 --";
    const { text, values } = buildEventPageQuery(
      {
        streamId: hostile,
        deviceId: "d1",
        rolloutId: "r1",
        fleet: "main",
        types: ["A", "B"],
        actor: "operator:ann",
        correlationId: "c1",
        from: new Date("2026-01-01T00:00:00Z"),
        to: new Date("2026-01-02T00:00:00Z"),
      },
      { transactionId: 7n, globalPosition: 9n },
      10,
    );
    expect(text).not.toContain(hostile);
    expect(values).toEqual([
      "7",
      "9",
      hostile,
      "device:d1",
      "r1",
      "main",
      ["A", "B"],
      "operator:ann",
      "c1",
      new Date("2026-01-01T00:00:00Z"),
      new Date("2026-01-02T00:00:00Z"),
      10,
    ]);
    expect(text).toContain("(transaction_id, global_position) > ($1::xid8, $2::bigint)");
    // A time window is read through recorded_at and sorted, never by walking the whole past.
    expect(text).toMatch(/ORDER BY \(transaction_id, global_position\) LIMIT \$12\)/);
    expect(text).toMatch(/ORDER BY transaction_id, global_position LIMIT \$12$/);
  });

  it("reads one stream's events and sorts them rather than walking the commit order", () => {
    for (const filter of [{ deviceId: "d1" }, { streamId: "rollout:r1" }]) {
      const { text } = buildEventPageQuery(filter, undefined, 10);
      expect(text).toMatch(
        /WHERE .*stream_id = \$1 ORDER BY \(transaction_id, global_position\) LIMIT \$2$/,
      );
    }
    const { text } = buildEventPageQuery({ types: ["A"] }, undefined, 10);
    expect(text).toMatch(/ORDER BY transaction_id, global_position LIMIT \$2$/);
  });

  it("splits a rollout filter into its own stream and the events naming it, merged in order", () => {
    const { text, values } = buildEventPageQuery({ rolloutId: "r1", types: ["A"] }, undefined, 10);
    expect(values).toEqual(["r1", ["A"], 10]);
    expect(text).toContain(") UNION ALL (");
    expect(text).toMatch(/\) AS matches ORDER BY transaction_id, global_position LIMIT \$3$/);
    // The own stream is sorted (bounded by its size); the references use the partial index in
    // order and exclude the own stream, so no event is returned twice.
    expect(text).toContain(
      "AND stream_id = 'rollout:' || $1 ORDER BY (transaction_id, global_position) LIMIT $3)",
    );
    expect(text).toContain(
      "AND data ? 'rolloutId' AND data->>'rolloutId' = $1 AND NOT (stream_id = 'rollout:' || $1) ORDER BY transaction_id, global_position LIMIT $3)",
    );
  });
});
