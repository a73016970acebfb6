import { ValidationError } from "@statecast/events";

/** A position in read-all order: events sort by (transactionId, globalPosition). */
export interface AuditCursor {
  transactionId: bigint;
  globalPosition: bigint;
}

const DIGITS = /^\d{1,20}$/;

/** Opaque to clients: base64url of `<transactionId>.<globalPosition>`. */
export function encodeCursor(cursor: AuditCursor): string {
  return Buffer.from(`${cursor.transactionId}.${cursor.globalPosition}`, "utf8").toString(
    "base64url",
  );
}

export function decodeCursor(text: string): AuditCursor {
  const invalid = () =>
    new ValidationError("invalid cursor", {
      details: [{ path: "cursor", message: "not a cursor returned by this API" }],
    });
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(text)) throw invalid();
  const [tx, pos, ...rest] = Buffer.from(text, "base64url").toString("utf8").split(".");
  if (rest.length > 0 || !tx || !pos || !DIGITS.test(tx) || !DIGITS.test(pos)) throw invalid();
  return { transactionId: BigInt(tx), globalPosition: BigInt(pos) };
}
