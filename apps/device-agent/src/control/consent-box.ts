import type { ConsentAnswer } from "@statecast/contract";

export type Consent = { answer: ConsentAnswer; by: string; at: string; askAgainAt?: string };

/**
 * Issue 20: the last answer an app gave to "may the device install now?" through its control
 * socket. Each new install starts with no answer.
 */
export class ConsentBox {
  private last: Consent | undefined;

  answer(by: string, body: unknown, now: Date): Consent | string {
    const { answer, laterSeconds } = (body ?? {}) as { answer?: unknown; laterSeconds?: unknown };
    if (answer !== "accept" && answer !== "skip" && answer !== "later")
      return `answer must be accept, skip or later, got ${JSON.stringify(answer)}`;
    const seconds = laterSeconds ?? 3600;
    if (answer === "later" && !(Number.isInteger(seconds) && Number(seconds) >= 1))
      return "laterSeconds must be a whole number ≥ 1";
    this.last = {
      answer,
      by,
      at: now.toISOString(),
      ...(answer === "later"
        ? { askAgainAt: new Date(now.getTime() + Number(seconds) * 1000).toISOString() }
        : {}),
    };
    return this.last;
  }

  /** The standing answer at `now` (a `later` whose time came is no answer any more). */
  current(now: Date): Consent | undefined {
    const last = this.last;
    if (last?.askAgainAt && Date.parse(last.askAgainAt) <= now.getTime()) this.last = undefined;
    return this.last;
  }

  reset(): void {
    this.last = undefined;
  }
}
