/** An inclusive byte range within an object, as HTTP Range means it. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Reads a `Range` header against an object of `size` bytes. Returns `undefined` when the whole
 * object should be sent (no header, another unit, or several ranges, which we may ignore per
 * RFC 9110 §14.2), and `"unsatisfiable"` when the single range asked for lies outside it.
 */
export function parseByteRange(
  header: string | undefined,
  size: number,
): ByteRange | "unsatisfiable" | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match)
    return header.trim().startsWith("bytes=") && !header.includes(",")
      ? "unsatisfiable"
      : undefined;
  const [, first = "", last = ""] = match;
  if (first === "" && last === "") return "unsatisfiable";
  if (first === "") {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) return "unsatisfiable";
  return { start, end };
}
