import { z } from "zod";
import { defineEvent } from "../registry.js";
import { failureReason, humanMessage, revisionRef } from "./common.js";

/**
 * A report of an offline install (`statecast-agent install BUNDLE --revision <fleet>#<n>`),
 * journaled on the device while it had no gateway and recorded when it reconnected. The
 * revision came by bundle, not by a target: a DONE/UPDATED one is what the device now runs.
 */
export const BundleInstallReported = defineEvent(
  "BundleInstallReported",
  1,
  z.strictObject({
    revision: revisionRef,
    status: z.enum([
      "QUEUED",
      "DOWNLOADING",
      "INPROGRESS",
      "TESTING",
      "DONE",
      "UPDATED",
      "WONTGO",
      "ERROR",
    ]),
    reason: failureReason.optional(),
    message: humanMessage,
    /** When the device made the report (it reaches the gateway later). */
    reportedAt: z.iso.datetime({ offset: true }),
    report: z.strictObject({ bootId: z.string().min(1).max(128), seq: z.int().nonnegative() }),
  }),
);
