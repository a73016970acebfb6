import {
  type RolloutDefinitionRequest,
  rolloutPolicy,
  rolloutSchedule,
  type WaveSpec,
} from "@statecast/contract/http";
import { RemoteConfigError } from "./remote-errors.js";

/** The flags `rollout create` and `rollout plan` take. */
export interface DefinitionFlags {
  revision: string;
  fleet?: string;
  tag?: string[];
  device?: string[];
  waves?: string;
  soak?: string;
  minSample?: string;
  maxFailures?: string;
  onFailure?: string;
  onSuccess?: string;
  deviceTimeout?: string;
  maxInFlight?: string;
  startAt?: string;
  endAt?: string;
  atEnd?: string;
}

const usage = (message: string) => new RemoteConfigError(message, true);

function count(flag: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,9}$/.test(value) || Number(value) < min)
    throw usage(`${flag} ${JSON.stringify(value)}: expected a whole number ≥ ${min}`);
  return Number(value);
}

/**
 * A rollout definition from flags: `--revision FLEET#N` (or `FLEET@N`), selector (the revision's fleet unless
 * `--fleet`, plus `--tag`/`--device`), waves as percentages with shared soak/sample/failure limits.
 * Waves and policy left out take the server's defaults.
 */
export function definitionFromFlags(flags: DefinitionFlags): RolloutDefinitionRequest {
  const ref = /^([A-Za-z0-9][A-Za-z0-9._-]{0,127})[#@](\d{1,9})$/.exec(flags.revision);
  if (!ref?.[1] || !ref[2])
    throw usage(
      `--revision ${JSON.stringify(flags.revision)}: expected FLEET#NUMBER, e.g. lab#4 (or lab@4)`,
    );
  const definition: RolloutDefinitionRequest = {
    revision: { fleet: ref[1], number: Number(ref[2]) },
    selector: {
      fleet: flags.fleet ?? ref[1],
      ...(flags.tag?.length ? { tags: flags.tag } : {}),
      ...(flags.device?.length ? { ids: flags.device } : {}),
    },
  };
  if (flags.waves !== undefined) {
    const percents = flags.waves.split(",").map((p) => count("--waves", p.trim(), 1) ?? 0);
    if (percents.some((p) => p > 100)) throw usage("--waves: each wave is a percentage (1-100)");
    const maxFailures = count("--max-failures", flags.maxFailures, 0) ?? 0;
    definition.waves = percents.map(
      (percent): WaveSpec => ({
        size: { percent },
        minSample: count("--min-sample", flags.minSample, 0) ?? 1,
        soakSeconds: count("--soak", flags.soak, 0) ?? 0,
        maxFailures: { percent: maxFailures },
      }),
    );
  } else if (flags.soak ?? flags.minSample ?? flags.maxFailures) {
    throw usage("--soak, --min-sample and --max-failures shape the waves: give --waves too");
  }
  const policy: NonNullable<RolloutDefinitionRequest["policy"]> = {};
  const { onFailure, onSuccess } = rolloutPolicy.shape;
  if (flags.onFailure) policy.onFailure = oneOf("--on-failure", flags.onFailure, onFailure.options);
  if (flags.onSuccess) policy.onSuccess = oneOf("--on-success", flags.onSuccess, onSuccess.options);
  if (Object.keys(policy).length) definition.policy = policy;
  const timeout = count("--device-timeout", flags.deviceTimeout, 1);
  if (timeout !== undefined) definition.deviceTimeoutSeconds = timeout;
  const maxInFlight = count("--max-in-flight", flags.maxInFlight, 1);
  if (maxInFlight !== undefined) definition.maxInFlight = maxInFlight;
  const schedule: NonNullable<RolloutDefinitionRequest["schedule"]> = {};
  if (flags.startAt) schedule.startAt = instant("--start-at", flags.startAt);
  if (flags.endAt) schedule.endAt = instant("--end-at", flags.endAt);
  if (flags.atEnd)
    schedule.atEnd = oneOf("--at-end", flags.atEnd, rolloutSchedule.shape.atEnd.unwrap().options);
  if (Object.keys(schedule).length) definition.schedule = schedule;
  return definition;
}

/** One of the contract's values for a flag. */
function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  const found = allowed.find((a) => a === value);
  if (found === undefined) throw usage(`${flag} ${value}: expected one of ${allowed.join(", ")}`);
  return found;
}

/** An ISO-8601 instant with its offset (`2026-05-01T02:00:00Z`), sent in UTC. */
function instant(flag: string, value: string): string {
  const withOffset = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
  if (!withOffset.test(value) || Number.isNaN(Date.parse(value)))
    throw usage(
      `${flag} ${value}: expected an ISO-8601 instant with offset, e.g. 2026-05-01T02:00:00Z`,
    );
  return new Date(value).toISOString();
}
