import { ValidationError } from "@statecast/events";

export interface ByteSpan {
  start: number;
  /** Inclusive. */
  end: number;
}

/** One `bytes=a-b` / `bytes=a-` / `bytes=-n` range against `size`; undefined = whole object. */
export function parseByteRange(header: string | undefined, size: number): ByteSpan | undefined {
  if (header === undefined) return undefined;
  const match = /^bytes=(\d{0,16})-(\d{0,16})$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === ""))
    throw new ValidationError(
      `Range "${header.slice(0, 80)}" is not a single bytes=start-end range`,
    );
  const [first, last] = [match[1], match[2]];
  const span =
    first === ""
      ? { start: Math.max(0, size - Number(last)), end: size - 1 }
      : { start: Number(first), end: last === "" ? size - 1 : Math.min(Number(last), size - 1) };
  if (span.start >= size || span.start > span.end)
    throw new RangeNotSatisfiable(
      `Range "${header.slice(0, 80)}" is outside the object's ${size} bytes`,
    );
  return span;
}

export class RangeNotSatisfiable extends Error {
  override readonly name = "RangeNotSatisfiable";
}
