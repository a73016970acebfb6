import { ApiProperty, ApiPropertyOptional } from "@nestjs/swagger";
import {
  IsArray,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from "class-validator";

const ROLLOUT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

class RevisionRefDoc {
  @ApiProperty() fleet!: string;
  @ApiProperty({ minimum: 1 }) number!: number;
}

class SelectorDoc {
  @ApiPropertyOptional({ type: [String] }) ids?: string[];
  @ApiPropertyOptional({ type: [String], description: "each `key` (present) or `key=value`" })
  tags?: string[];
  @ApiPropertyOptional() fleet?: string;
}

class WaveDoc {
  @ApiProperty({ description: "{percent: 0-100} or {count: n}", example: { percent: 10 } })
  size!: object;
  @ApiProperty({ description: "finished devices before the failure percent may decide" })
  minSample!: number;
  @ApiProperty() soakSeconds!: number;
  @ApiProperty({ example: { percent: 5, count: 10 } }) maxFailures!: object;
  @ApiPropertyOptional({ description: "ISO-8601: the wave starts no earlier" }) notBefore?: string;
}

class PolicyDoc {
  @ApiPropertyOptional({ enum: ["pause", "abort", "rollback"] }) onFailure?: string;
  @ApiPropertyOptional({ enum: ["next", "pause"] }) onSuccess?: string;
}

class ScheduleDoc {
  @ApiPropertyOptional({ description: "ISO-8601: wave 0 starts no earlier" }) startAt?: string;
  @ApiPropertyOptional({ description: "ISO-8601: nothing is assigned after it" }) endAt?: string;
  @ApiPropertyOptional({ enum: ["stop_assigning", "cancel_pending"] }) atEnd?: string;
}

/** Shape check only; every nested field is checked (and named) by `parseDefinition`. */
export class RolloutDefinitionRequest {
  @ApiProperty({ type: RevisionRefDoc }) @IsObject() revision!: object;
  @ApiProperty({ type: SelectorDoc }) @IsObject() selector!: object;
  @ApiPropertyOptional({ type: [WaveDoc], description: "default: 5% canary, 25%, 70%" })
  @IsOptional()
  @IsArray()
  waves?: object[];
  @ApiPropertyOptional({ type: PolicyDoc }) @IsOptional() @IsObject() policy?: object;
  @ApiPropertyOptional({ minimum: 1 }) @IsOptional() @IsInt() deviceTimeoutSeconds?: number;
  @ApiPropertyOptional({
    type: ScheduleDoc,
    description: "when the rollout may assign; each wave may also have `notBefore`",
  })
  @IsOptional()
  @IsObject()
  schedule?: object;
}

export class RolloutReasonRequest {
  @ApiPropertyOptional({ maxLength: 4096 })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  reason?: string;
}

export class RolloutIdParams {
  @ApiProperty({ pattern: ROLLOUT_ID.source })
  @Matches(ROLLOUT_ID, { message: "rollout id must be 1-128 letters, digits, '.', '_' or '-'" })
  id!: string;
}

export class RolloutDeviceParams extends RolloutIdParams {
  @ApiProperty()
  @Matches(ROLLOUT_ID, { message: "device id must be 1-128 letters, digits, '.', '_' or '-'" })
  deviceId!: string;
}

export class RolloutAtQuery {
  @ApiPropertyOptional({
    description:
      "ISO-8601 instant: the rollout as it stood then, to the millisecond (events up to the end of that millisecond count; finer digits are ignored)",
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  at?: string;
}

export class RolloutSummary {
  @ApiProperty() rolloutId!: string;
  @ApiProperty() status!: string;
  @ApiProperty({ type: RevisionRefDoc }) revision!: object;
  @ApiPropertyOptional({ nullable: true, type: String }) rollbackOf!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class RolloutProgressResponse {
  @ApiProperty() rolloutId!: string;
  @ApiProperty() status!: string;
  @ApiProperty({ type: RevisionRefDoc }) revision!: object;
  @ApiPropertyOptional({ nullable: true, type: Number }) currentWave!: number | null;
  @ApiProperty() devices!: number;
  @ApiProperty({
    description:
      "per wave: counts by device status, gate (live values with maxFailures, allowedFailures, failurePercent), soak",
    type: [Object],
  })
  waves!: object[];
  @ApiPropertyOptional({ nullable: true, type: Number }) etaSeconds!: number | null;
  @ApiPropertyOptional({
    type: "object",
    additionalProperties: true,
    description:
      "bytes the targeted devices downloaded for this revision: {devices, needed, fetched, delta, resumed}",
  })
  transfer?: object;
  @ApiProperty({
    type: [Object],
    description:
      "failed/rejected devices grouped by {stage, reason, outcome}, with count and up to 50 device ids",
  })
  failures!: object[];
  @ApiProperty({
    description: "a consenting fleet's devices by last answer: {asked, accept, later, skip}",
  })
  consent!: object;
  @ApiPropertyOptional({
    type: [Object],
    description:
      "devices held by an update lock longer than the fleet's lockLimitSeconds: {deviceId, detail, heldSince, seconds}",
  })
  overLongLocks?: object[];
}

export class DeviceWhyResponse {
  @ApiProperty() deviceId!: string;
  @ApiProperty() waveIndex!: number;
  @ApiProperty() status!: string;
  @ApiProperty({ example: "failed:container_exited" }) reason!: string;
  @ApiProperty() online!: boolean;
  @ApiProperty() since!: string;
  @ApiPropertyOptional({
    description: "what holds the device, in words (the schedule, a maintenance window, a lock)",
  })
  detail?: string;
  @ApiPropertyOptional({
    description: "ISO-8601: when the wait ends (wave start, window opening, consent re-ask)",
  })
  until?: string;
  @ApiPropertyOptional({ description: "ISO-8601: when the update lock holding it was taken" })
  heldSince?: string;
}

export class RolloutPlanResponse {
  @ApiProperty() devices!: number;
  @ApiProperty({ type: [Object], description: "waves in order with their members" })
  waves!: object[];
}

/** Another gate policy to replay a recorded rollout with; every field optional. */
export class RolloutReplayRequest {
  @ApiPropertyOptional({
    type: [Object],
    description:
      "merged by index into the recorded waves: size, minSample, soakSeconds, maxFailures",
    example: [{ maxFailures: { count: 2 } }],
  })
  @IsOptional()
  @IsArray()
  waves?: object[];
  @ApiPropertyOptional({ type: PolicyDoc }) @IsOptional() @IsObject() policy?: object;
  @ApiPropertyOptional({ minimum: 1 }) @IsOptional() @IsInt() deviceTimeoutSeconds?: number;
}

export class RolloutReplayResponse {
  @ApiProperty() rolloutId!: string;
  @ApiProperty({ description: "the definition with the replayed policy" }) definition!: object;
  @ApiProperty({ description: "{status, decisions: [{at, type, summary}], waves}" })
  recorded!: object;
  @ApiProperty({ description: "{status, decisions: [{at, type, summary}], waves}" })
  replayed!: object;
  @ApiProperty({ description: "recorded device facts and operator commands fed to the replay" })
  inputs!: number;
  @ApiProperty({
    type: [Object],
    description: "operator commands that no longer fit: {at, input, message}",
  })
  refused!: object[];
  @ApiProperty() horizon!: string;
}
