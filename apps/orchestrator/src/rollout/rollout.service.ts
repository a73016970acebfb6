import { randomUUID } from "node:crypto";
import { Inject, Injectable } from "@nestjs/common";
import { InjectRepository } from "@nestjs/typeorm";
import type { RolloutSummaryView } from "@statecast/contract/http";
import {
  IllegalStateError,
  NotFoundError,
  PostgresEventStore,
  rolloutStreamId,
  ValidationError,
} from "@statecast/events";
import type { Repository } from "typeorm";
import { type CommandContext, metadataOf } from "../auth/command-context.js";
import { maintenancePolicyOf } from "../maintenance/maintenance-windows.js";
import {
  asRolloutEvent,
  type DeviceWhy,
  describeConflicts,
  findConflicts,
  type OperatorCommand,
  type OverLongLock,
  overLongLocks,
  planWaves,
  type ReplayResult,
  type RolloutDefinition,
  type RolloutProgress,
  type RolloutState,
  replayRollout,
  rolloutAt,
  rolloutProgress,
  validateDefinition,
  whyNotUpdated,
} from "./domain/index.js";
import { RolloutRow } from "./rollout.entity.js";
import { parseDefinition, parseReplayPolicy } from "./rollout-definition.input.js";
import type { SelectedDevice } from "./rollout-fleet.js";
import { RolloutFleetRepository } from "./rollout-fleet.repository.js";
import { RolloutStates } from "./rollout-states.js";
import type { RolloutTransfer } from "./rollout-transfer.js";
import { RolloutWriter } from "./rollout-writer.js";

export type ControlType = "pause" | "resume" | "promote" | "abort" | "rollback";
const CONTROL: Record<ControlType, OperatorCommand["type"]> = {
  pause: "PauseRollout",
  resume: "ResumeRollout",
  promote: "PromoteRollout",
  abort: "AbortRollout",
  rollback: "RollbackRollout",
};

export type RolloutView = RolloutProgress & {
  /** Devices held by an update lock longer than the fleet's limit (issue 20; current view only). */
  overLongLocks?: OverLongLock[];
  createdAt: string;
  rollbackOf: string | null;
  /** Bytes the rollout's devices downloaded (the current view only, not with `at`). */
  transfer?: RolloutTransfer;
};

/** Operator commands and reads on rollouts; every command is one transaction (see README). */
@Injectable()
export class RolloutService {
  constructor(
    @Inject(PostgresEventStore) private readonly store: PostgresEventStore,
    @Inject(RolloutStates) private readonly states: RolloutStates,
    @Inject(RolloutWriter) private readonly writer: RolloutWriter,
    @InjectRepository(RolloutRow) private readonly rollouts: Repository<RolloutRow>,
    @Inject(RolloutFleetRepository) private readonly fleet: RolloutFleetRepository,
  ) {}

  async create(body: unknown, ctx: CommandContext): Promise<RolloutView> {
    const definition = parseDefinition(body);
    const devices = await this.selected(definition);
    const conflicts = findConflicts(
      devices.map((d) => d.deviceId),
      await this.fleet.activeClaims(),
    );
    if (conflicts.length > 0)
      throw new IllegalStateError(
        `conflicts with an active rollout: ${describeConflicts(conflicts)}`,
      );
    const rolloutId = randomUUID();
    const revisionExists = await this.fleet.revisionExists(definition.revision);
    const context = {
      selectedDevices: devices.map((d) => ({ deviceId: d.deviceId, fleet: d.fleet ?? "" })),
      revisionExists,
    };
    return this.command(rolloutId, ctx, (now) => ({
      type: "CreateRollout",
      rolloutId,
      definition,
      context,
      actor: ctx.actor,
      now,
    }));
  }

  /** The dry-run: wave membership and order, exactly as start would plan it. Writes nothing. */
  async plan(body: unknown) {
    const definition = parseDefinition(body);
    const devices = await this.selected(definition);
    const issues = validateDefinition(definition, {
      selectedDevices: devices.map((d) => ({ deviceId: d.deviceId, fleet: d.fleet ?? "" })),
      revisionExists: await this.fleet.revisionExists(definition.revision),
    });
    if (issues.length > 0)
      throw new ValidationError(
        `invalid rollout definition: ${issues.map((i) => `${i.path} ${i.message}`).join("; ")}`,
        { details: issues },
      );
    const waves = planWaves(definition, devices);
    return { revision: definition.revision, devices: devices.length, waves };
  }

  async start(rolloutId: string, reason: string | undefined, ctx: CommandContext) {
    const { state } = await this.states.loadExisting(rolloutId);
    if (state.status !== "created")
      throw new IllegalStateError(`cannot start rollout ${rolloutId}: it is ${state.status}`);
    const devices = await this.fleet.selectDevices(state.definition.selector);
    const activeRollouts = await this.fleet.activeClaims();
    return this.command(rolloutId, ctx, (now) => ({
      type: "StartRollout",
      devices: devices.map(({ deviceId, currentRevision, online }) => ({
        deviceId,
        currentRevision,
        online,
      })),
      activeRollouts,
      actor: ctx.actor,
      now,
      ...(reason === undefined ? {} : { reason }),
    }));
  }

  async control(
    rolloutId: string,
    control: ControlType,
    reason: string | undefined,
    ctx: CommandContext,
  ): Promise<RolloutView> {
    await this.states.loadExisting(rolloutId);
    return this.command(
      rolloutId,
      ctx,
      (now) =>
        ({
          type: CONTROL[control],
          actor: ctx.actor,
          now,
          ...(reason === undefined ? {} : { reason }),
        }) as OperatorCommand,
    );
  }

  async list(): Promise<RolloutSummaryView[]> {
    const rows = await this.rollouts.find({ order: { createdAt: "ASC", rolloutId: "ASC" } });
    return rows.map((row) => ({
      rolloutId: row.rolloutId,
      status: row.status,
      revision: row.revision,
      rollbackOf: row.rollbackOf,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    }));
  }

  /** Progress now, or as of `at` (folded from the events recorded until then). */
  async get(rolloutId: string, at?: string): Promise<RolloutView> {
    if (at === undefined) {
      const { state } = await this.states.loadExisting(rolloutId);
      const now = new Date().toISOString();
      const current = view(state, now, rolloutId);
      const transfer = await this.fleet.transfer(rolloutId, current.revision);
      const { policy } = await maintenancePolicyOf(this.store, current.revision.fleet);
      const limit = policy.lockLimitSeconds;
      return {
        ...current,
        transfer,
        ...(limit ? { overLongLocks: overLongLocks(state, now, limit) } : {}),
      };
    }
    const { events } = await this.store.readStream(rolloutStreamId(rolloutId));
    if (events.length === 0) throw new NotFoundError(`rollout ${rolloutId} not found`);
    const state = rolloutAt(events.map(asRolloutEvent), at);
    if (state.status === "none")
      throw new NotFoundError(`rollout ${rolloutId} did not exist at ${at}`);
    return view(state, at, rolloutId);
  }

  /** Another gate policy over the recorded history (issue 20): reads the stream, writes nothing. */
  async replay(rolloutId: string, body: unknown): Promise<ReplayResult> {
    const policy = parseReplayPolicy(body);
    const { events } = await this.store.readStream(rolloutStreamId(rolloutId));
    if (events.length === 0) throw new NotFoundError(`rollout ${rolloutId} not found`);
    return replayRollout(events.map(asRolloutEvent), policy, new Date().toISOString());
  }

  async why(rolloutId: string, deviceId: string): Promise<DeviceWhy> {
    const { state } = await this.states.loadExisting(rolloutId);
    const why = whyNotUpdated(state, deviceId);
    if (!why)
      throw new NotFoundError(
        state.status === "created"
          ? `rollout ${rolloutId} has not started: it has no devices yet`
          : `device ${deviceId} is not part of rollout ${rolloutId}`,
      );
    return why;
  }

  /** The devices the selector matches; listed ids the registry does not know are refused. */
  private async selected(definition: RolloutDefinition): Promise<SelectedDevice[]> {
    const devices = await this.fleet.selectDevices(definition.selector);
    const ids = definition.selector.ids ?? [];
    if (ids.length === 0) return devices;
    const unknown = await this.fleet.unknownDevices(ids);
    if (unknown.length > 0) {
      const shown =
        unknown.slice(0, 5).join(", ") +
        (unknown.length > 5 ? ` and ${unknown.length - 5} more` : "");
      throw new ValidationError(`invalid rollout definition: selector.ids names unknown devices`, {
        details: [
          { path: "selector.ids", message: `names ${unknown.length} unknown device(s): ${shown}` },
        ],
      });
    }
    return devices;
  }

  private async command(
    rolloutId: string,
    ctx: CommandContext,
    input: (now: string) => OperatorCommand,
  ): Promise<RolloutView> {
    const written = await this.store.transaction(`rollout ${rolloutId} command`, (client) => {
      const metadata = metadataOf(ctx);
      return this.writer.apply(client, rolloutId, [input(metadata.now)], metadata);
    });
    this.states.remember(written.loaded);
    return view(written.loaded.state, new Date().toISOString(), rolloutId);
  }
}

function view(state: RolloutState, now: string, rolloutId: string): RolloutView {
  const progress = rolloutProgress(state, now);
  if (state.status === "none" || progress === null)
    throw new NotFoundError(`rollout ${rolloutId} not found`);
  return { ...progress, createdAt: state.createdAt, rollbackOf: state.rollbackOf };
}
