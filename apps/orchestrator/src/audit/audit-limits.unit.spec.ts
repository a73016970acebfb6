import { TooBusyError } from "@statecast/events";
import { TokenSlots } from "./audit-limits.js";

describe("TokenSlots", () => {
  it("counts each token on its own, refuses one past the bound, and releases once", () => {
    const slots = new TokenSlots("live tails", "STATECAST_AUDIT_TAILS_PER_TOKEN", 2, 5);
    const first = slots.take("t1");
    slots.take("t1");
    slots.take("t2");
    let refused: unknown;
    try {
      slots.take("t1");
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(TooBusyError);
    expect((refused as TooBusyError).retryAfterSeconds).toBe(5);
    expect((refused as Error).message).toBe(
      "this token already has 2 live tails running (at most 2, STATECAST_AUDIT_TAILS_PER_TOKEN); retry when one ends",
    );
    first();
    first(); // a second release of the same slot frees nothing more
    slots.take("t1");
    expect(() => slots.take("t1")).toThrow(TooBusyError);
  });
});
