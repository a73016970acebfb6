import { ROLES, type Role } from "@statecast/contract/http";

// Operator roles, weakest first: defined with the HTTP contract that names them.
export { ROLES, type Role };

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** True when `held` is at least as strong as `required`. */
export function roleSatisfies(held: Role, required: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(required);
}
