import type { Role } from "./role.js";

/** Who is calling: resolved from the bearer token by the auth guard. */
export interface Principal {
  /** `admin` for the bootstrap token, else the token id. */
  tokenId: string;
  name: string;
  role: Role;
}

/** What the guard attaches to each authenticated request. */
export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
}

export const BOOTSTRAP_ADMIN: Principal = { tokenId: "bootstrap", name: "admin", role: "admin" };
