import { z } from "zod";
import { FLEET_NAME, FLEET_NAME_MESSAGE } from "../revision-ref.js";

/** A fleet's name, as a path parameter (`/v1/fleets/:fleet/…`). */
export const fleetName = z.string().regex(FLEET_NAME, { message: FLEET_NAME_MESSAGE });

/** The path of `/v1/fleets/:fleet/…`. */
export const fleetParams = z.strictObject({ fleet: fleetName });
export type FleetParams = z.output<typeof fleetParams>;
