import { TooBusyError } from "@statecast/events";

/** Bounds on what one API token may ask of the audit API at once (from the orchestrator config). */
export interface AuditLimits {
  /** Pages and exports running at once per token. */
  queriesPerToken: number;
  /** Live tails (SSE) open at once per token. */
  tailsPerToken: number;
  /** Rows one export sends before it ends with a continuation cursor. */
  exportMaxRows: number;
  /** How long one live tail stays open; the client reconnects with Last-Event-ID. */
  tailMaxSeconds: number;
}

export const DEFAULT_AUDIT_LIMITS: AuditLimits = {
  queriesPerToken: 4,
  tailsPerToken: 8,
  exportMaxRows: 100_000,
  tailMaxSeconds: 3600,
};

/**
 * Counts what each token holds of one kind of request; `take` beyond `max` is refused with 429.
 * In-process: with N orchestrator replicas a token gets at most N × max.
 */
export class TokenSlots {
  private readonly held = new Map<string, number>();

  constructor(
    private readonly what: string,
    private readonly setting: string,
    private readonly max: number,
    private readonly retryAfterSeconds: number,
  ) {}

  /** Takes a slot for `tokenId` and returns its release (idempotent). */
  take(tokenId: string): () => void {
    const count = this.held.get(tokenId) ?? 0;
    if (count >= this.max) {
      throw new TooBusyError(
        `this token already has ${count} ${this.what} running (at most ${this.max}, ${this.setting}); retry when one ends`,
        this.retryAfterSeconds,
      );
    }
    this.held.set(tokenId, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.held.get(tokenId) ?? 1) - 1;
      if (left > 0) this.held.set(tokenId, left);
      else this.held.delete(tokenId);
    };
  }
}

/** The two per-token bounds of the audit API, shared by every request of this process. */
export class AuditGate {
  readonly queries: TokenSlots;
  readonly tails: TokenSlots;

  constructor(readonly limits: AuditLimits) {
    this.queries = new TokenSlots(
      "audit queries or exports",
      "STATECAST_AUDIT_QUERIES_PER_TOKEN",
      limits.queriesPerToken,
      1,
    );
    this.tails = new TokenSlots(
      "live tails",
      "STATECAST_AUDIT_TAILS_PER_TOKEN",
      limits.tailsPerToken,
      5,
    );
  }
}
