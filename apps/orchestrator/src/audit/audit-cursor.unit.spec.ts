import { ValidationError } from "@statecast/events";
import { decodeCursor, encodeCursor } from "./audit-cursor.js";

describe("audit cursor", () => {
  it("round-trips a position, including 64-bit values", () => {
    const cursor = { transactionId: 18446744073709551615n, globalPosition: 42n };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it("refuses anything it did not hand out", () => {
    for (const bad of ["", "!!", Buffer.from("1.2.3").toString("base64url"), "x".repeat(100)]) {
      expect(() => decodeCursor(bad)).toThrow(ValidationError);
    }
    expect(() => decodeCursor(Buffer.from("a.1").toString("base64url"))).toThrow(/invalid cursor/);
  });
});
