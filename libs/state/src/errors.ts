// libs/state keeps its own small error tree (no Nest, no dependency on libs/events).
// Every error has a stable `code` so callers can map it to HTTP statuses or device reasons.

/** Base class: bad input (state, key, bundle, object); `code` is machine-readable. */
export class StateValidationError extends Error {
  override readonly name: string = "StateValidationError";
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A key or tar member path that could escape its directory or is otherwise unsafe. */
export class UnsafePathError extends StateValidationError {
  override readonly name = "UnsafePathError";
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super("unsafe_path", `unsafe path ${JSON.stringify(path)}: ${reason}`);
  }
}

/** Object content whose sha256 is not the id it was stored or shipped under. */
export class HashMismatchError extends StateValidationError {
  override readonly name = "HashMismatchError";
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super("object_hash_mismatch", `object ${expected}: content hashes to ${actual}`);
  }
}

/** Object content whose byte count differs from the size announced for it. */
export class SizeMismatchError extends StateValidationError {
  override readonly name = "SizeMismatchError";
  constructor(
    readonly sha: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super("object_size_mismatch", `object ${sha}: expected ${expected} bytes, got ${actual}`);
  }
}

/** Text that is not well-formed JSON (or exceeds the parser's limits). */
export class JsonSyntaxError extends StateValidationError {
  override readonly name = "JsonSyntaxError";
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super("json_syntax", `${message} at offset ${offset}`);
  }
}

/** A bundle (pvr export tar) that is malformed, hostile or over a limit. */
export class BundleError extends StateValidationError {
  override readonly name = "BundleError";
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A key, signature or certificate that cannot be used as given. */
export class KeyError extends StateValidationError {
  override readonly name = "KeyError";
}
