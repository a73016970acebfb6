import { z } from "zod";
import { offsetDateTime } from "./instant.js";
import { revisionRef } from "./revision-ref.js";

// THE rollout definition: what RolloutCreated carries (libs/events' catalog takes it from here),
// what the API takes and documents, what the CLI, the console and the launcher's demo post.

export const waveSpec = z.strictObject({
  size: z
    .union([
      z.strictObject({ percent: z.number().gt(0).max(100) }),
      z.strictObject({ count: z.int().positive() }),
    ])
    .describe("{percent: 0-100} or {count: n}")
    .meta({ example: { percent: 10 } }),
  minSample: z.int().positive().describe("finished devices before the failure percent may decide"),
  soakSeconds: z.int().nonnegative(),
  maxFailures: z
    .strictObject({
      percent: z.number().min(0).max(100).optional(),
      count: z.int().nonnegative().optional(),
    })
    .meta({ example: { percent: 5, count: 10 } }),
  /** The wave starts no earlier than this, even when the previous gate passed (issue 20). */
  notBefore: offsetDateTime.optional().describe("ISO-8601: the wave starts no earlier"),
});
export type WaveSpec = z.output<typeof waveSpec>;

/** When the rollout may assign (issue 20): absent in rollouts created before it, meaning always. */
export const rolloutSchedule = z.strictObject({
  startAt: offsetDateTime.optional().describe("ISO-8601: wave 0 starts no earlier"),
  endAt: offsetDateTime.optional().describe("ISO-8601: nothing is assigned after it"),
  /** At `endAt`: assign nothing more (assigned devices go on), or also cancel unstarted targets. */
  atEnd: z.enum(["stop_assigning", "cancel_pending"]).optional(),
});

/** What a failed gate and a passed one lead to. */
export const rolloutPolicy = z.strictObject({
  onFailure: z.enum(["pause", "abort", "rollback"]),
  onSuccess: z.enum(["next", "pause"]),
});

/** A rollout's definition as recorded (RolloutCreated): defaults filled in. */
export const rolloutDefinition = z.strictObject({
  revision: revisionRef,
  selector: z.strictObject({
    ids: z.array(z.string().min(1).max(128)).optional(),
    tags: z
      .array(z.string().min(1).max(128))
      .optional()
      .describe("each `key` (present) or `key=value`"),
    fleet: z.string().min(1).max(128).optional(),
  }),
  waves: z.array(waveSpec).min(1),
  policy: rolloutPolicy,
  deviceTimeoutSeconds: z.int().positive().optional(),
  /**
   * At most this many of the rollout's devices updating at once (assigned, not yet finished);
   * the others wait in wave order and are assigned as devices finish. Absent: no limit (every
   * rollout created before it).
   */
  maxInFlight: z
    .int()
    .positive()
    .optional()
    .describe("devices updating at once at most; the rest wait their turn (default: no limit)"),
  schedule: rolloutSchedule
    .optional()
    .describe("when the rollout may assign; each wave may also have `notBefore`"),
});
export type RolloutDefinition = z.output<typeof rolloutDefinition>;

/** `POST /v1/rollouts` and `/v1/rollouts/plan`: a definition; waves and policy have defaults. */
export const rolloutDefinitionRequest = rolloutDefinition.extend({
  waves: rolloutDefinition.shape.waves.optional().describe("default: 5% canary, 25%, 70%"),
  policy: rolloutPolicy.partial().optional(),
});
export type RolloutDefinitionRequest = z.input<typeof rolloutDefinitionRequest>;

/** `POST /v1/rollouts/:id/replay`: another gate policy to replay a recorded rollout with. */
export const rolloutReplayRequest = z.strictObject({
  waves: z
    .array(waveSpec.partial())
    .min(1)
    .optional()
    .describe("merged by index into the recorded waves: size, minSample, soakSeconds, maxFailures")
    .meta({ example: [{ maxFailures: { count: 2 } }] }),
  policy: rolloutPolicy.partial().optional(),
  deviceTimeoutSeconds: z.int().positive().optional(),
});
export type RolloutReplayRequest = z.output<typeof rolloutReplayRequest>;
