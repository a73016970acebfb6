import { createHash } from "node:crypto";
import { canonicalJson } from "./json/canonical-json.js";
import type { State } from "./model/types.js";

/** The state digest: lowercase hex sha256 of the state's canonical JSON text. */
export function stateDigest(state: State): string {
  return createHash("sha256").update(canonicalJson(state), "utf8").digest("hex");
}
