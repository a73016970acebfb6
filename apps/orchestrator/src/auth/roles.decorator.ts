import { SetMetadata } from "@nestjs/common";
import type { Role } from "./role.js";

export const ROLES_KEY = "statecast:required-role";

/**
 * The weakest role allowed to call a route (or every route of a controller). Routes without it
 * are public (health, docs); every `/v1` controller carries it at class level.
 */
export const Roles = (role: Role) => SetMetadata(ROLES_KEY, role);
