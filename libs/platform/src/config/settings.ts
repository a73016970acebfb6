import { z } from "zod";

/** Reusable setting schemas; each carries a `description` used when the setting is missing. */

export const portSetting = z
  .string()
  .trim()
  .refine((v) => /^\d{1,5}$/.test(v) && Number(v) >= 1 && Number(v) <= 65535, {
    message: "expected a port number 1-65535",
  })
  .transform(Number)
  .describe("a port number 1-65535");

function urlWithScheme(schemes: readonly string[], what: string) {
  const message = `expected ${what}`;
  return z
    .string()
    .trim()
    .refine(
      (v) => {
        try {
          return schemes.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      { message },
    )
    .describe(what);
}

/** A whole number in [min, max], described by `what`. */
export function wholeNumberSetting(min: number, max: number, what: string) {
  return z
    .string()
    .trim()
    .refine((v) => /^\d{1,16}$/.test(v) && Number(v) >= min && Number(v) <= max, {
      message: `expected ${what} ${min}-${max}`,
    })
    .transform(Number)
    .describe(`${what} ${min}-${max}`);
}

/** A duration in milliseconds, 1 ms to 24 h. */
export const millisecondsSetting = wholeNumberSetting(1, 86_400_000, "milliseconds");

export const postgresUrlSetting = urlWithScheme(
  ["postgres:", "postgresql:"],
  "a postgres:// URL such as postgres://user:password@127.0.0.1:5432/statecast",
);

/** One or more comma-separated NATS server URLs. */
export const natsUrlSetting = z
  .string()
  .trim()
  .refine(
    (v) =>
      v.split(",").every((part) => {
        try {
          return ["nats:", "tls:", "ws:", "wss:"].includes(new URL(part.trim()).protocol);
        } catch {
          return false;
        }
      }),
    { message: "expected nats:// URLs separated by commas" },
  )
  .transform((v) => v.split(",").map((part) => part.trim()))
  .describe("a nats:// URL such as nats://127.0.0.1:4222");

export const httpUrlSetting = urlWithScheme(["http:", "https:"], "an http:// or https:// URL");

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "verbose"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const logLevelSetting = z
  .enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(", ")}` })
  .describe(`one of ${LOG_LEVELS.join(", ")}`);

export const adminTokenSetting = z
  .string()
  .min(16, { error: "expected at least 16 characters" })
  .regex(/^[\x21-\x7e]+$/, { error: "expected printable characters without spaces" })
  .describe("an admin API token of at least 16 printable characters");

export const hostSetting = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9.:-]+$/, { error: "expected an IP address or host name" })
  .describe("an IP address or host name to listen on");

export const directorySetting = z.string().min(1).describe("a directory path");
