import { config } from "zod/mini";
import en from "zod/v4/locales/en.js";

// The contract's schemas use zod's small build (zod/mini): they are in the agent's bundle, where
// classic zod would weigh half a megabyte. English messages (one locale, not all) make a refusal
// readable in the gateway's log and the agent's; every refusal is worded through issuesText.
config(en());

export interface Issues {
  issues: readonly { path: PropertyKey[]; message: string }[];
}

/** `path: message; …` of the first `max` issues of a failed parse. */
export function issuesText(error: Issues, max = 5): string {
  return error.issues
    .slice(0, max)
    .map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`)
    .join("; ");
}
