import { CatalogSchemas, defineEvent } from "@statecast/events";
import { z } from "zod";

/** Stream of one fleet's maintenance policy: `maintenance:<fleet>` (issue 20). */
export function maintenanceStreamId(fleet: string): string {
  return `maintenance:${fleet}`;
}

const tag = z.string().min(1).max(256);

/**
 * The fleet's maintenance windows, replaced whole. A window with `tags` applies only to devices
 * carrying every one of them (`key` present or `key=value`); without, to the whole fleet.
 */
export const MaintenancePolicySet = defineEvent(
  "MaintenancePolicySet",
  1,
  z.strictObject({
    fleet: z.string().min(1).max(128),
    windows: CatalogSchemas.maintenanceWindows,
    /** Per window name, the device tags it is limited to. */
    scopes: z.record(z.string(), z.array(tag).max(16)),
    /** Devices ask their apps' consent before installing (absent in older events: no). */
    consent: z.boolean().optional(),
    /** An update lock held longer than this is reported (absent: never). */
    lockLimitSeconds: z.int().positive().optional(),
  }),
);

export const maintenanceCatalog = [MaintenancePolicySet] as const;
