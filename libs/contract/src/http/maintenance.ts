import { z } from "zod";

/**
 * A maintenance window as the API takes it. Shapes only: names, cron and zones are checked (and
 * named) by the contract's window check (`maintenanceWindowProblem`).
 */
export const maintenanceWindowInput = z.strictObject({
  name: z.string().max(64).meta({ example: "nightly" }),
  cron: z
    .string()
    .max(120)
    .describe("five fields, read in timeZone")
    .meta({ example: "0 2 * * *" }),
  durationMinutes: z.int().meta({ example: 120 }),
  timeZone: z.string().max(64).describe("IANA time zone").meta({ example: "Europe/Berlin" }),
  tags: z
    .array(z.string().max(256))
    .max(16)
    .optional()
    .describe("only devices with every tag (`key` or `key=value`); absent: the whole fleet"),
});

/** `PUT /v1/fleets/:fleet/maintenance-windows`: the fleet's windows, replaced whole. */
export const maintenancePolicyRequest = z.strictObject({
  windows: z.array(maintenanceWindowInput).max(16),
  consent: z.boolean().optional().describe("devices ask their apps' consent before installing"),
  lockLimitSeconds: z
    .int()
    .min(1)
    .optional()
    .describe("an update lock held longer than this is reported"),
});
export type MaintenancePolicyRequest = z.output<typeof maintenancePolicyRequest>;

/** What `GET` and `PUT /v1/fleets/:fleet/maintenance-windows` answer. */
export const maintenancePolicyView = maintenancePolicyRequest.extend({
  fleet: z.string(),
  version: z.int().nonnegative().describe("0 while the fleet has no windows (install any time)"),
});
export type MaintenancePolicyView = z.output<typeof maintenancePolicyView>;
