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
    expect(text).toMatch(/ORDER BY \(transaction_id, global_position\) LIMIT \$12$/);
  });
});
