import type { DeltaManifest } from "@statecast/state";

/** Where the agent gets objects it lacks: the gateway's Object Store, a bundle, a directory. */
export interface ObjectSource {
  readonly name: string;
  /** Size in bytes of an object, to check free space before fetching. */
  size(id: string): Promise<number>;
  /**
   * Streams the object's bytes from `offset` (the length of the partial file already
   * fetched). A source that can only resume at an earlier point returns that point as
   * `from`, and the fetcher truncates its partial file to it.
   */
  open(id: string, offset: number, signal: AbortSignal): Promise<ObjectStream>;
  /**
   * The deltas the source offers that rebuild object `id` (none when absent or unreadable).
   * A delta is itself an object of the source, named by the sha256 of its bytes.
   */
  deltaOffers?(id: string): Promise<DeltaManifest[]>;
}

export interface ObjectStream {
  from: number;
  chunks: AsyncIterable<Uint8Array>;
}

/**
 * The source could not serve the object now (a gateway under load; `unavailable` on the wire):
 * not final, the fetcher asks again after a backoff. `retryAfterMs`: the source's hint.
 */
export class ObjectUnavailable extends Error {
  override readonly name = "ObjectUnavailable";
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
