import { rolloutDefinitionRequest, rolloutReplayRequest } from "@statecast/contract/http";
import { ValidationError } from "@statecast/events";
import { type ReplayPolicy, type RolloutDefinition, withDefaults } from "./domain/index.js";

/**
 * A posted definition, checked field by field (each problem named by its path), with the default
 * waves and policy filled in. Rules that need the fleet (coverage, revision, selector matches) are
 * the domain's `validateDefinition`.
 */
export function parseDefinition(body: unknown): RolloutDefinition {
  const parsed = rolloutDefinitionRequest.safeParse(body);
  if (!parsed.success)
    throw new ValidationError("invalid rollout definition", {
      details: parsed.error.issues.map((issue) => ({
        path: issue.path.map(String).join(".") || "(body)",
        message: issue.message,
      })),
    });
  const { waves, policy, ...rest } = parsed.data;
  return withDefaults({
    ...rest,
    ...(waves === undefined ? {} : { waves }),
    ...(policy === undefined ? {} : { policy }),
  });
}

/** A replay policy file or body (`rollout replay --policy`), each problem named by its path. */
export function parseReplayPolicy(body: unknown): ReplayPolicy {
  const parsed = rolloutReplayRequest.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  throw new ValidationError("invalid replay policy", {
    details: parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join(".") || "(body)",
      message: issue.message,
    })),
  });
}
