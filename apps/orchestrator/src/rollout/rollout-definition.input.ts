import { RolloutEvents, ValidationError } from "@statecast/events";
import { z } from "zod";
import { type ReplayPolicy, type RolloutDefinition, withDefaults } from "./domain/index.js";

const schema = RolloutEvents.rolloutDefinition.extend({
  waves: RolloutEvents.rolloutDefinition.shape.waves.optional(),
  policy: RolloutEvents.rolloutDefinition.shape.policy.partial().optional(),
});

/**
 * A posted definition, checked field by field (each problem named by its path), with the default
 * waves and policy filled in. Rules that need the fleet (coverage, revision, selector matches) are
 * the domain's `validateDefinition`.
 */
export function parseDefinition(body: unknown): RolloutDefinition {
  const parsed = schema.safeParse(body);
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

export type RolloutDefinitionBody = z.input<typeof schema>;

const replayPolicySchema = z.strictObject({
  waves: z.array(RolloutEvents.rolloutDefinition.shape.waves.element.partial()).min(1).optional(),
  policy: RolloutEvents.rolloutDefinition.shape.policy.partial().optional(),
  deviceTimeoutSeconds: z.int().positive().optional(),
});

/** A replay policy file or body (`rollout replay --policy`), each problem named by its path. */
export function parseReplayPolicy(body: unknown): ReplayPolicy {
  const parsed = replayPolicySchema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  throw new ValidationError("invalid replay policy", {
    details: parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join(".") || "(body)",
      message: issue.message,
    })),
  });
}
