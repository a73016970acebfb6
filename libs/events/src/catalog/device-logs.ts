import { z } from "zod";
import { defineEvent } from "../registry.js";
import { isoInstant } from "./common.js";

/**
 * An operator asked a device for its logs (GET /v1/devices/:id/logs, `statecast logs`): who
 * (the metadata's actor), which part, from when. The log bytes themselves are never events.
 */
export const DeviceLogsRequested = defineEvent(
  "DeviceLogsRequested",
  1,
  z.strictObject({
    requestId: z.string().min(1).max(128),
    part: z.string().min(1).max(128),
    since: isoInstant.optional(),
  }),
);
