import { reconnectDelay } from "./connected-agent.js";

describe("reconnect backoff", () => {
  it("doubles from 250 ms up to the cap, with full jitter", () => {
    const top = (attempt: number, max?: number) => reconnectDelay(attempt, max, () => 1);
    expect([0, 1, 2, 3].map((a) => top(a))).toEqual([250, 500, 1000, 2000]);
    expect(top(20)).toBe(30_000);
    expect(top(20, 500)).toBe(500);
    expect(reconnectDelay(5, 30_000, () => 0)).toBe(0);
    expect(reconnectDelay(3, 30_000, () => 0.5)).toBe(1000);
  });
});
