/** Where the agent gets objects it lacks: the gateway's Object Store, a bundle, a directory. */
export interface ObjectSource {
  readonly name: string;
  /** Size in bytes of an object, to check free space before fetching. */
  size(id: string): Promise<number>;
  /**
   * Streams the object's bytes from `offset` to the end; the fetcher appends them to the
   * partial file it resumes from.
   */
  read(id: string, offset: number, signal: AbortSignal): AsyncIterable<Uint8Array>;
}
