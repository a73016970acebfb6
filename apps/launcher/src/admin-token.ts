import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface AdminToken {
  readonly token: string;
  /** Where it is kept, when it came from the data dir. */
  readonly file: string | undefined;
  readonly origin: "environment" | "data dir" | "generated";
}

/**
 * The bootstrap admin token: STATECAST_ADMIN_TOKEN when given, else the one kept in
 * `<dataDir>/admin-token` (mode 0600), generated on the first start.
 */
export function ensureAdminToken(dataDir: string, given: string | undefined): AdminToken {
  if (given) return { token: given, file: undefined, origin: "environment" };
  const file = join(dataDir, "admin-token");
  if (existsSync(file)) {
    const token = readFileSync(file, "utf8").trim();
    if (!/^[\x21-\x7e]{16,}$/.test(token)) {
      throw new Error(`${file} does not hold a valid admin token; delete it to generate a new one`);
    }
    chmodSync(file, 0o600);
    return { token, file, origin: "data dir" };
  }
  const token = `sc_admin_${randomBytes(32).toString("base64url")}`;
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: "wx" });
  return { token, file, origin: "generated" };
}
