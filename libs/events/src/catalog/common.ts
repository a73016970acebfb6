import { type MaintenanceWindow, maintenanceWindowProblem } from "@statecast/contract";
import { offsetDateTime, revisionRef, UPDATE_STATUSES } from "@statecast/contract/http";
import { z } from "zod";

/** A revision of a fleet's state: `{fleet, number}` (stream `revision:<fleet>:<number>`). */
export { revisionRef };

/** Lowercase hex sha256, as used for state digests and object ids. */
export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "expected a lowercase hex sha256");

export const isoInstant = offsetDateTime;

/** Device-reported statuses (Pantavisor's names) plus the server-side NEW and CANCELLED. */
export const updateStatus = z.enum(UPDATE_STATUSES);

/** Machine-readable reason carried by every WONTGO / ERROR (open set, snake_case). */
export const failureReason = z.string().regex(/^[a-z][a-z0-9_]*$/, "expected a snake_case reason");

export const humanMessage = z.string().max(4096);

/** A target's maintenance windows (issue 20): the contract's one definition and its checks. */
export const maintenanceWindows = z
  .array(
    z.custom<MaintenanceWindow>((value) => maintenanceWindowProblem(value) === undefined, {
      message: "expected a maintenance window {name, cron, durationMinutes, timeZone}",
    }),
  )
  .max(16);
