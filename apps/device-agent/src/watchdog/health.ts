/** What the watchdog decision looks at, gathered by the agent each pet interval. */
export interface HealthInput {
  /** A reboot was asked for: stop petting, so a reboot that hangs resets the board. */
  rebooting: boolean;
  /** A try boot's TESTING is running (the revision is not committed yet). */
  testingTry: boolean;
  /** How long the gateway has been unreachable (0 while connected or not expected). */
  gatewayLostForMs: number;
  gatewayTimeoutMs: number;
  /** An apply is running: containers are being replaced and have their own timeouts. */
  applying: boolean;
  /** Committed `system`-policy containers that should run but do not. */
  systemContainersDown: string[];
}

export type HealthVerdict = { healthy: true } | { healthy: false; why: string };

/**
 * Whether the agent may pet the hardware watchdog. A hung kernel or agent never gets here
 * (nothing pets); this covers an agent that runs but whose board is not healthy, so the
 * board resets and the bootloader decides (a try that never commits falls back).
 * - An offline committed device stays up (it keeps running its revision); the gateway
 *   counts only while a try is tested, past the gateway timeout.
 * - App containers (`container` policy) are auto-recovery's business; a system container
 *   down outside an apply is not (Pantavisor reboots for those).
 */
export function healthVerdict(input: HealthInput): HealthVerdict {
  if (input.rebooting) return { healthy: false, why: "reboot requested" };
  if (input.testingTry && input.gatewayLostForMs > input.gatewayTimeoutMs)
    return {
      healthy: false,
      why: `gateway lost for ${input.gatewayLostForMs} ms while testing a try`,
    };
  if (!input.applying && input.systemContainersDown.length > 0)
    return {
      healthy: false,
      why: `system containers not running: ${input.systemContainersDown.join(", ")}`,
    };
  return { healthy: true };
}
