import type {
  CreatedEnrollmentToken,
  CreateEnrollmentTokenRequest,
  EnrollmentTokenView,
} from "@statecast/contract/http";
import { RemoteConfigError } from "./remote-errors.js";
import { formatTags } from "./table.js";

/** The API's enrollment token views, from its HTTP contract (never retyped here). */
export type { EnrollmentTokenView };
export type CreatedEnrollmentTokenView = CreatedEnrollmentToken;

/** The flags of `fleet token create`. */
export interface TokenFlags {
  expires?: string;
  maxUses?: string;
  tag?: string[];
}

const usage = (message: string) => new RemoteConfigError(message, true);

// The orchestrator's own patterns: caught here so a typo is a usage error (exit 2), not a 400.
const FLEET = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TAG = /^([A-Za-z0-9][A-Za-z0-9._/-]{0,62})=(.{0,256})$/;
const DURATION = /^(\d{1,6})(s|m|h|d|w)$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

export function tokensPath(fleet: string): string {
  if (!FLEET.test(fleet))
    throw usage(`fleet ${JSON.stringify(fleet)}: expected 1-128 letters, digits, '.', '_' or '-'`);
  return `/v1/fleets/${encodeURIComponent(fleet)}/enrollment-tokens`;
}

export function tokenPath(fleet: string, tokenId: string): string {
  if (!UUID.test(tokenId))
    throw usage(
      `token ${JSON.stringify(tokenId)}: expected a token id (a UUID, as \`statecast fleet token ls\` shows)`,
    );
  return `${tokensPath(fleet)}/${tokenId}`;
}

/**
 * `--expires` as the API's `expiresAt`: an ISO-8601 instant is sent as given (the server refuses
 * one in the past), a duration (`90m`, `12h`, `7d`, `2w`) counts from `now`.
 */
export function expiresAt(value: string, now = new Date()): string {
  const duration = DURATION.exec(value);
  if (duration?.[1] !== undefined && duration[2] !== undefined) {
    const amount = Number(duration[1]);
    if (amount === 0) throw usage(`--expires ${value}: a duration must be longer than zero`);
    return new Date(
      now.getTime() + amount * UNIT_MS[duration[2] as keyof typeof UNIT_MS],
    ).toISOString();
  }
  if (INSTANT.test(value) && !Number.isNaN(Date.parse(value))) return value;
  throw usage(
    `--expires ${JSON.stringify(value)}: expected an ISO-8601 instant (2026-12-31T00:00:00Z) or a duration (30m, 12h, 7d, 2w)`,
  );
}

/** The request body of `POST /v1/fleets/:fleet/enrollment-tokens` from the flags. */
export function createTokenRequest(
  flags: TokenFlags,
  now = new Date(),
): CreateEnrollmentTokenRequest {
  const body: CreateEnrollmentTokenRequest = {};
  if (flags.expires !== undefined) body.expiresAt = expiresAt(flags.expires, now);
  if (flags.maxUses !== undefined) {
    const n = /^\d{1,7}$/.test(flags.maxUses) ? Number(flags.maxUses) : Number.NaN;
    if (!(n >= 1 && n <= 1_000_000))
      throw usage(`--max-uses ${JSON.stringify(flags.maxUses)}: expected a whole number 1-1000000`);
    body.maxUses = n;
  }
  if (flags.tag?.length) {
    const tags: Record<string, string> = {};
    for (const tag of flags.tag) {
      const match = TAG.exec(tag);
      if (match?.[1] === undefined || match[2] === undefined)
        throw usage(`--tag ${JSON.stringify(tag)}: expected key=value`);
      if (match[1] in tags) throw usage(`--tag ${match[1]} given twice`);
      tags[match[1]] = match[2];
    }
    body.tags = tags;
  }
  return body;
}

/** `revoked`, `expired`, `used-up` (can enroll no more devices) or `active`. */
export function tokenState(token: EnrollmentTokenView, now = new Date()): string {
  if (token.revokedAt !== null) return "revoked";
  if (token.expiresAt !== null && Date.parse(token.expiresAt) <= now.getTime()) return "expired";
  if (token.maxUses !== null && token.uses >= token.maxUses) return "used-up";
  return "active";
}

/** `3/10` with a limit, `3` without. */
export function formatUses(token: EnrollmentTokenView): string {
  return token.maxUses === null ? String(token.uses) : `${token.uses}/${token.maxUses}`;
}

/** The lines `fleet token create` prints: the token's terms, then the secret on a line of its own. */
export function createdLines(token: CreatedEnrollmentTokenView): string[] {
  return [
    `created enrollment token ${token.tokenId} for fleet ${token.fleet}`,
    `  expires   ${token.expiresAt ?? "never"}`,
    `  max uses  ${token.maxUses ?? "unlimited"}`,
    `  tags      ${formatTags(token.tags)}`,
    "secret (shown only now, stored hashed; give it to the agent with --enrollment-token-file or STATECAST_ENROLLMENT_TOKEN):",
    token.secret,
  ];
}
