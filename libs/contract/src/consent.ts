/**
 * Device consent (issue 20): a fleet may ask its devices before they install. An app answers
 * through its control socket (`POST /consent {"answer": "accept" | "skip" | "later",
 * "laterSeconds"?: n}`); until then the device reports DOWNLOADING with one of these reasons.
 */
export const CONSENT_REASONS = {
  waiting: "waiting_for_consent",
  accept: "consent_accepted",
  later: "consent_later",
  /** The final WONTGO of a device whose app skipped the update. */
  skip: "consent_skipped",
} as const;

export type ConsentAnswer = "accept" | "skip" | "later";

/** The answer a report's reason carries, or null. */
export function consentOf(reason: string | undefined): ConsentAnswer | "waiting" | null {
  for (const [answer, text] of Object.entries(CONSENT_REASONS))
    if (text === reason) return answer as ConsentAnswer | "waiting";
  return null;
}
