/**
 * Whether the agent can reach its gateway, as its NATS connection says. TESTING refuses to
 * commit while the gateway is lost and rolls back once it has been lost for longer than
 * `timeoutMs` (Pantavisor's updater network timeout). With no connection attached (an offline
 * `install`) the gateway is never "lost".
 */
export class GatewayLink {
  private attached = false;
  private lostSince: number | undefined;

  constructor(readonly timeoutMs: number) {}

  connected(): void {
    this.attached = true;
    this.lostSince = undefined;
  }

  lost(now = Date.now()): void {
    if (this.attached) this.lostSince ??= now;
  }

  /**
   * The agent will connect and the gateway counts as lost until it does (a try boot that
   * never reaches its gateway must not commit).
   */
  expect(now = Date.now()): void {
    if (this.attached) return;
    this.attached = true;
    this.lostSince = now;
  }

  /** The connection is closed on purpose (agent stopping): nothing to wait for. */
  detach(): void {
    this.attached = false;
    this.lostSince = undefined;
  }

  /** How long the gateway has been unreachable; 0 while connected or detached. */
  lostForMs(now = Date.now()): number {
    return this.lostSince === undefined ? 0 : Math.max(1, now - this.lostSince);
  }
}
