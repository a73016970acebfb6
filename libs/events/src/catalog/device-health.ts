import { z } from "zod";
import { defineEvent } from "../registry.js";
import { humanMessage, isoInstant, revisionRef } from "./common.js";

/**
 * What a device's agent saw go wrong with its committed revision after `DONE` (issue 14):
 * - `container_exited`: a container of the revision stopped and nothing restarts it;
 * - `container_restarted`: auto_recovery restarted a container that exited;
 * - `status_goal_lost`: a container that had reached its status goal no longer holds it;
 * - `agent_restarted`: the agent started again on the same revision (crash or service restart);
 * - `board_rebooted`: the board booted again without the agent asking for it.
 */
export const healthKind = z.enum([
  "container_exited",
  "container_restarted",
  "status_goal_lost",
  "agent_restarted",
  "board_rebooted",
]);

/**
 * One event per (kind, part) per window at most: `count` occurrences between `firstAt` and
 * `lastAt` (a crash loop is one event with a count, never one event per crash).
 */
export const DeviceHealthReported = defineEvent(
  "DeviceHealthReported",
  1,
  z.strictObject({
    revision: revisionRef,
    kind: healthKind,
    /** The part (container) concerned; absent for agent and board facts. */
    part: z.string().min(1).max(128).optional(),
    exitCode: z.int().min(0).max(255).optional(),
    signal: z.int().min(1).max(128).optional(),
    count: z.int().positive(),
    firstAt: isoInstant,
    lastAt: isoInstant,
    message: humanMessage,
    report: z.strictObject({ bootId: z.string().min(1).max(128), seq: z.int().nonnegative() }),
  }),
);

export const deviceHealthCatalog = [DeviceHealthReported] as const;
