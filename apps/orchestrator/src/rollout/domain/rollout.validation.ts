import type { ValidationIssue } from "@statecast/events";
import { RolloutEvents, ValidationError } from "@statecast/events";
import type { RolloutDefinition, WaveSpec } from "./rollout.definition.js";
import { formatRevision } from "./rollout.definition.js";

/** What the caller resolved before validating: the devices the selector matches, and the revision. */
export type ValidationContext = {
  selectedDevices: ReadonlyArray<{ deviceId: string; fleet: string }>;
  revisionExists: boolean;
};

/**
 * Shape check for untrusted input (HTTP bodies, stored events): the schema of the event catalog.
 * `validateDefinition` then checks what a schema cannot: coverage, fleets, existence.
 */
export function parseDefinition(input: unknown): RolloutDefinition {
  const parsed = RolloutEvents.rolloutDefinition.safeParse(input);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((i) => ({
    path: i.path.map(String).join(".") || "(root)",
    message: i.message,
  }));
  const summary = details.map((d) => `${d.path}: ${d.message}`).join("; ");
  throw new ValidationError(`malformed rollout definition: ${summary}`, { details });
}

const isWhole = (n: number, min: number) => Number.isInteger(n) && n >= min;

export function validateDefinition(
  def: RolloutDefinition,
  context: ValidationContext,
): ValidationIssue[] {
  return [
    ...revisionIssues(def, context),
    ...selectorIssues(def, context),
    ...def.waves.flatMap((wave, i) => waveIssues(wave, `waves[${i}]`)),
    ...coverageIssues(def, context.selectedDevices.length),
    ...scheduleIssues(def),
    ...(def.deviceTimeoutSeconds !== undefined && !isWhole(def.deviceTimeoutSeconds, 1)
      ? [
          issue(
            "deviceTimeoutSeconds",
            `must be a whole number ≥ 1, got ${def.deviceTimeoutSeconds}`,
          ),
        ]
      : []),
    ...(def.maxInFlight !== undefined && !isWhole(def.maxInFlight, 1)
      ? [issue("maxInFlight", `must be a whole number ≥ 1, got ${def.maxInFlight}`)]
      : []),
  ];
}

function issue(path: string, message: string): ValidationIssue {
  return { path, message };
}

function revisionIssues(def: RolloutDefinition, context: ValidationContext): ValidationIssue[] {
  const { fleet, number } = def.revision;
  const issues: ValidationIssue[] = [];
  if (fleet.trim() === "") issues.push(issue("revision.fleet", "must not be empty"));
  if (!isWhole(number, 1)) issues.push(issue("revision.number", `must be ≥ 1, got ${number}`));
  else if (!context.revisionExists)
    issues.push(issue("revision", `revision ${formatRevision(def.revision)} does not exist`));
  if (def.selector.fleet !== undefined && def.selector.fleet !== fleet)
    issues.push(
      issue(
        "revision.fleet",
        `revision ${formatRevision(def.revision)} belongs to fleet "${fleet}", the selector targets fleet "${def.selector.fleet}"`,
      ),
    );
  const foreign = context.selectedDevices.filter((d) => d.fleet !== fleet);
  if (foreign.length > 0)
    issues.push(
      issue(
        "selector",
        `${foreign.length} selected device(s) are not in fleet "${fleet}" of revision ${formatRevision(def.revision)}: ${sample(foreign.map((d) => d.deviceId))}`,
      ),
    );
  return issues;
}

function selectorIssues(def: RolloutDefinition, context: ValidationContext): ValidationIssue[] {
  const { ids, tags, fleet } = def.selector;
  if ((ids?.length ?? 0) === 0 && (tags?.length ?? 0) === 0 && fleet === undefined)
    return [issue("selector", "is empty: give device ids, tags or a fleet")];
  const issues: ValidationIssue[] = [];
  const duplicates = (ids ?? []).filter((id, i, all) => all.indexOf(id) !== i);
  if (duplicates.length > 0)
    issues.push(issue("selector.ids", `lists devices twice: ${sample(duplicates)}`));
  if (context.selectedDevices.length === 0) issues.push(issue("selector", "matches no device"));
  return issues;
}

function waveIssues(wave: WaveSpec, path: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if ("percent" in wave.size) {
    const p = wave.size.percent;
    if (!(p > 0 && p <= 100))
      issues.push(issue(`${path}.size.percent`, `must be in (0, 100], got ${p}`));
  } else if (!isWhole(wave.size.count, 1)) {
    issues.push(issue(`${path}.size.count`, `must be a whole number ≥ 1, got ${wave.size.count}`));
  }
  if (!isWhole(wave.minSample, 1))
    issues.push(issue(`${path}.minSample`, `must be a whole number ≥ 1, got ${wave.minSample}`));
  if (!isWhole(wave.soakSeconds, 0))
    issues.push(
      issue(`${path}.soakSeconds`, `must be a whole number ≥ 0, got ${wave.soakSeconds}`),
    );
  const { percent, count } = wave.maxFailures;
  if (percent === undefined && count === undefined)
    issues.push(issue(`${path}.maxFailures`, "needs a percent, a count or both"));
  if (percent !== undefined && !(percent >= 0 && percent <= 100))
    issues.push(issue(`${path}.maxFailures.percent`, `must be in [0, 100], got ${percent}`));
  if (count !== undefined && !isWhole(count, 0))
    issues.push(issue(`${path}.maxFailures.count`, `must be a whole number ≥ 0, got ${count}`));
  return issues;
}

function coverageIssues(def: RolloutDefinition, deviceCount: number): ValidationIssue[] {
  if (def.waves.length === 0) return [issue("waves", "must list at least one wave")];
  let percent = 0;
  let count = 0;
  for (const wave of def.waves) {
    if ("percent" in wave.size) percent += wave.size.percent;
    else count += wave.size.count;
  }
  const covered = count + Math.ceil((deviceCount * percent) / 100);
  if (percent < 100 && covered < deviceCount)
    return [
      issue(
        "waves",
        `cover ${covered} of the ${deviceCount} selected devices (${percent}% + ${count} devices); the waves must reach every device`,
      ),
    ];
  return [];
}

function scheduleIssues(def: RolloutDefinition): ValidationIssue[] {
  const { startAt, endAt } = def.schedule ?? {};
  if (endAt === undefined) return [];
  const issues: ValidationIssue[] = [];
  if (startAt !== undefined && Date.parse(endAt) <= Date.parse(startAt))
    issues.push(issue("schedule.endAt", `must be after schedule.startAt (${startAt})`));
  def.waves.forEach((wave, i) => {
    if (wave.notBefore !== undefined && Date.parse(wave.notBefore) >= Date.parse(endAt))
      issues.push(issue(`waves[${i}].notBefore`, `is not before schedule.endAt (${endAt})`));
  });
  return issues;
}

function sample(ids: string[]): string {
  const shown = ids.slice(0, 5).join(", ");
  return ids.length > 5 ? `${shown} and ${ids.length - 5} more` : shown;
}
