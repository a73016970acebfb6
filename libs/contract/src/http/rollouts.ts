import { z } from "zod";
import { transferBytes } from "./device-views.js";
import { isoInstant } from "./instant.js";
import { revisionRef } from "./revision-ref.js";
import { rolloutDefinition } from "./rollout-definition.js";

const ROLLOUT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const idOf = (what: string) =>
  z
    .string()
    .regex(ROLLOUT_ID, { message: `${what} must be 1-128 letters, digits, '.', '_' or '-'` });
const count = z.int().nonnegative();
const instant = z.string().describe("ISO-8601");

/** The path of `/v1/rollouts/:id/…`. */
export const rolloutIdParams = z.strictObject({ id: idOf("rollout id") });
export type RolloutIdParams = z.output<typeof rolloutIdParams>;

/** The path of `/v1/rollouts/:id/devices/:deviceId/…`. */
export const rolloutDeviceParams = rolloutIdParams.extend({ deviceId: idOf("device id") });
export type RolloutDeviceParams = z.output<typeof rolloutDeviceParams>;

/** The query of `GET /v1/rollouts/:id`. */
export const rolloutAtQuery = z.strictObject({
  at: isoInstant("at")
    .optional()
    .describe(
      "ISO-8601 instant: the rollout as it stood then, to the millisecond (events up to the end of that millisecond count; finer digits are ignored)",
    ),
});
export type RolloutAtQuery = z.output<typeof rolloutAtQuery>;

/** `POST /v1/rollouts/:id/start|pause|resume|promote|abort|rollback`. */
export const rolloutReasonRequest = z.strictObject({ reason: z.string().max(4096).optional() });
export type RolloutReasonRequest = z.output<typeof rolloutReasonRequest>;

/** One rollout as `GET /v1/rollouts` lists it. */
export const rolloutSummary = z.strictObject({
  rolloutId: z.string(),
  status: z.string(),
  revision: revisionRef,
  rollbackOf: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type RolloutSummaryView = z.output<typeof rolloutSummary>;

/** A wave's progress: counts by device status, its gate with live values, its soak. */
export const waveProgress = z.strictObject({
  index: count,
  status: z.enum(["pending", "running", "passed", "failed"]),
  size: count,
  counts: z.record(z.string(), count).describe("devices by rollout status"),
  gate: z.strictObject({
    state: z.enum(["not_started", "open", "passed", "failed"]),
    verdictNow: z
      .enum(["pending", "passed", "failed"])
      .describe("what the gate would decide on the counts as they are now"),
    succeeded: count,
    required: count,
    finished: count,
    failures: count,
    lateFailures: count,
    minSample: count,
    maxFailures: z.strictObject({ percent: z.number().optional(), count: count.optional() }),
    allowedFailures: count.describe("failures tolerated in this wave now"),
    failurePercent: z.number().nullable().describe("null before a device finished"),
  }),
  startedAt: instant.nullable(),
  closedAt: instant.nullable(),
  deferredUntil: instant
    .nullable()
    .describe("a wave the schedule holds back starts then (`startAt` or its `notBefore`)"),
  soak: z.strictObject({
    soakSeconds: count,
    soakingDevices: count,
    longestSoakingSeconds: z.number(),
    remainingSeconds: z.number(),
  }),
});
export type WaveProgressView = z.output<typeof waveProgress>;

/** What `GET /v1/rollouts/:id` and every rollout command answer. */
export const rolloutProgress = z.strictObject({
  rolloutId: z.string(),
  status: z.string(),
  revision: revisionRef,
  currentWave: count.nullable(),
  devices: count,
  waves: z.array(waveProgress),
  etaSeconds: z.number().nullable(),
  pace: z
    .strictObject({ maxInFlight: count, inFlight: count })
    .optional()
    .describe("a paced rollout (`maxInFlight`): its devices assigned and not yet finished"),
  failures: z
    .array(
      z.strictObject({
        stage: z.string(),
        reason: z.string(),
        outcome: z.enum(["failed", "rejected"]),
        count,
        devices: z.array(z.string()).describe("up to 50 device ids"),
      }),
    )
    .describe("failed/rejected devices grouped by {stage, reason, outcome}"),
  consent: z
    .strictObject({ asked: count, accept: count, later: count, skip: count })
    .describe("a consenting fleet's devices by last answer"),
  overLongLocks: z
    .array(
      z.strictObject({
        deviceId: z.string(),
        detail: z.string(),
        heldSince: instant,
        seconds: z.number(),
      }),
    )
    .optional()
    .describe("devices held by an update lock longer than the fleet's lockLimitSeconds"),
  createdAt: z.string(),
  rollbackOf: z.string().nullable(),
  transfer: transferBytes
    .extend({ devices: count })
    .optional()
    .describe("bytes the targeted devices downloaded for this revision (not with ?at=)"),
});
export type RolloutProgressView = z.output<typeof rolloutProgress>;

/** What `GET /v1/rollouts/:id/devices/:deviceId/why` answers. */
export const deviceWhy = z.strictObject({
  deviceId: z.string(),
  waveIndex: count,
  status: z.string(),
  reason: z.string().meta({ example: "failed:container_exited" }),
  online: z.boolean(),
  since: z.string(),
  detail: z
    .string()
    .optional()
    .describe("what holds the device, in words (the schedule, a maintenance window, a lock)"),
  until: instant
    .optional()
    .describe("when the wait ends (wave start, window opening, consent re-ask)"),
  heldSince: instant.optional().describe("when the update lock holding it was taken"),
});
export type DeviceWhyView = z.output<typeof deviceWhy>;

/** What `POST /v1/rollouts/plan` answers: the waves in order with their members. */
export const rolloutPlan = z.strictObject({
  revision: revisionRef,
  devices: count,
  waves: z.array(
    z.strictObject({
      index: count,
      devices: z.array(
        z.strictObject({
          deviceId: z.string(),
          currentRevision: revisionRef.nullable(),
          online: z.boolean(),
          alreadyOnRevision: z.boolean(),
        }),
      ),
    }),
  ),
});
export type RolloutPlanView = z.output<typeof rolloutPlan>;

const replayOutcome = z.strictObject({
  status: z.string(),
  decisions: z.array(z.strictObject({ at: z.string(), type: z.string(), summary: z.string() })),
  waves: z.array(z.strictObject({ index: count, status: z.string(), deviceIds: count })),
});

/** What `POST /v1/rollouts/:id/replay` answers. */
export const rolloutReplay = z.strictObject({
  rolloutId: z.string(),
  definition: rolloutDefinition.describe("the definition with the replayed policy"),
  recorded: replayOutcome,
  replayed: replayOutcome,
  inputs: count.describe("recorded device facts and operator commands fed to the replay"),
  refused: z
    .array(z.strictObject({ at: z.string(), input: z.string(), message: z.string() }))
    .describe("operator commands that no longer fit"),
  horizon: z.string(),
});
export type RolloutReplayView = z.output<typeof rolloutReplay>;
