import { z } from "zod";

/** One or more settings are missing or malformed; `problems` names each of them. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Parses settings (a zod object keyed by environment variable names) out of `env`. Empty values
 * count as unset. Every bad setting is reported at once, by name, in a `ConfigError`.
 */
export function loadConfig<Schema extends z.ZodObject>(
  schema: Schema,
  env: Environment,
): z.output<Schema> {
  const given: Record<string, string> = {};
  for (const name of Object.keys(schema.shape)) {
    const value = env[name];
    if (value !== undefined && value !== "") given[name] = value;
  }
  const result = schema.safeParse(given);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => describeIssue(schema, issue, given));
  throw new ConfigError([...new Set(problems)]);
}

function describeIssue(
  schema: z.ZodObject,
  issue: z.core.$ZodIssue,
  given: Record<string, string>,
): string {
  const name = String(issue.path[0] ?? "(settings)");
  const value = given[name];
  const expected = schema.shape[name]?.description;
  if (value === undefined) {
    return expected ? `${name}: not set; expected ${expected}` : `${name}: not set`;
  }
  return `${name}: ${issue.message}, got ${showValue(name, value)}`;
}

const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|KEY|CREDS)$/;

/** Quotes a bad value for the error message, without ever echoing a secret. */
export function showValue(name: string, value: string): string {
  if (SECRET_NAME.test(name)) return `a value of ${value.length} characters (hidden)`;
  return JSON.stringify(value.split(",").map(redactUrlPassword).join(","));
}

/** The URL with its password replaced by `***`, for messages and logs. */
export function redactUrlPassword(value: string): string {
  if (!value.includes("@")) return value;
  try {
    const url = new URL(value);
    if (!url.password) return value;
    url.password = "***";
    return url.toString();
  } catch {
    return "(an unparsable URL with credentials, hidden)";
  }
}
