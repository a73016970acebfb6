import type { Migration } from "@statecast/events";
import { KeyedRateLimiter } from "@statecast/platform";
import type { GatewayView } from "../view/gateway-view.js";

/** How much hello traffic one gateway accepts, and which fleets take devices only with a token. */
export interface HelloLimitOptions {
  /** Hellos per second this gateway answers, all devices together (burst: twice that). */
  helloRate: number;
  /** New pending devices per second per fleet (hellos without a token; burst: ten times that). */
  pendingRate: number;
  /** Pending (unapproved) devices a fleet may hold; more wait until some are approved. */
  maxPendingPerFleet: number;
  /** Fleets where a device enrolls only with an enrollment token; `*` = every fleet. */
  tokenRequiredFleets: readonly string[];
}

export const DEFAULT_HELLO_LIMITS: HelloLimitOptions = {
  helloRate: 200,
  pendingRate: 5,
  maxPendingPerFleet: 1_000,
  tokenRequiredFleets: [],
};

/** Not now: the agent asks again after `retryAfterMs` (older agents retry with their backoff). */
export interface HelloBusy {
  status: "busy";
  reason: string;
  retryAfterMs: number;
}

/**
 * The gate in front of enrollment. The enrollment creds are shared by a whole deployment, so
 * whoever holds them may hello any id into any fleet: every hello spends from one bucket, and a
 * hello that would record a new pending device must also pass its fleet's bucket and the fleet's
 * pending cap (counted in the gateway's view, so the cap holds across replicas and restarts).
 */
export class HelloLimits {
  private readonly hellos: KeyedRateLimiter;
  private readonly pending: KeyedRateLimiter;

  constructor(
    private readonly view: GatewayView,
    readonly options: HelloLimitOptions = DEFAULT_HELLO_LIMITS,
    clock: () => number = Date.now,
  ) {
    const { helloRate, pendingRate } = options;
    this.hellos = new KeyedRateLimiter(helloRate, helloRate * 2, 1, clock);
    this.pending = new KeyedRateLimiter(pendingRate, pendingRate * 10, 10_000, clock);
  }

  /** Any hello: undefined when it may be answered. */
  hello(): HelloBusy | undefined {
    const wait = this.hellos.take("all");
    return wait > 0 ? busy("too many hellos on this gateway", wait) : undefined;
  }

  tokenRequired(fleet: string): boolean {
    const fleets = this.options.tokenRequiredFleets;
    return fleets.includes("*") || fleets.includes(fleet);
  }

  /** A hello that would record a new pending device in `fleet`. */
  async newPending(fleet: string): Promise<HelloBusy | undefined> {
    const wait = this.pending.take(fleet);
    if (wait > 0) return busy(`too many new devices in fleet ${fleet}`, wait);
    const max = this.options.maxPendingPerFleet;
    if ((await this.view.pendingCount(fleet, max)) >= max) {
      return busy(
        `fleet ${fleet} already has ${max} devices pending approval (the most allowed); ` +
          "approve or decommission some",
        60_000,
      );
    }
    return undefined;
  }
}

function busy(why: string, retryAfterMs: number): HelloBusy {
  return { status: "busy", reason: `${why}; retry in ${retryAfterMs} ms`, retryAfterMs };
}

/** The index an earlier release's pending count walked (the count now reads the gateway's view). */
export const helloLimitMigrations: readonly Migration[] = [
  {
    id: "gateway-0002-events-pending-by-fleet",
    timestamp: 1796500000042,
    sql: `CREATE INDEX IF NOT EXISTS events_pending_by_fleet ON events ((data ->> 'fleet'))
            WHERE type = 'DeviceEnrolled' AND data ->> 'enrolledWith' = 'approval';`,
  },
];
