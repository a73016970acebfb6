import { Inject, Injectable } from "@nestjs/common";
import {
  deviceStreamId,
  handleCommand,
  NotFoundError,
  PostgresEventStore,
} from "@statecast/events";
import { type EventView, toEventView } from "../audit/event-view.js";
import { type CommandContext, metadataOf } from "../auth/command-context.js";
import { ProjectionWaiter } from "../projections/projection-waiter.js";
import { type DeviceCommand, decideDevice } from "./device.decider.js";
import { type DeviceQuery, DeviceRepository, type DeviceSummary } from "./device.repository.js";
import { DeviceMetricsReader } from "./device-metrics.reader.js";
import type { DeviceMetricsView } from "./device-metrics.view.js";
import { type DeviceRecord, evolveDevice, foldDevice } from "./device-record.js";
import { deviceRegistryProjection } from "./device-registry.projection.js";

/** The device registry: reads from the projection, time travel from the stream, commands as events. */
@Injectable()
export class DevicesService {
  constructor(
    @Inject(PostgresEventStore) private readonly store: PostgresEventStore,
    @Inject(DeviceRepository) private readonly devices: DeviceRepository,
    @Inject(ProjectionWaiter) private readonly projections: ProjectionWaiter,
    @Inject(DeviceMetricsReader) private readonly metrics: DeviceMetricsReader,
  ) {}

  async list(query: DeviceQuery): Promise<{ items: DeviceRecord[]; next: string | null }> {
    const items = await this.devices.list(query);
    const next = items.length === query.limit ? (items.at(-1)?.deviceId ?? null) : null;
    return { items, next };
  }

  summary(fleet: string | undefined): Promise<DeviceSummary> {
    return this.devices.summary(fleet);
  }

  async get(deviceId: string): Promise<DeviceRecord> {
    const device = await this.devices.find(deviceId);
    if (!device) throw new NotFoundError(`device ${deviceId} not found`);
    return device;
  }

  /** The device now, with its latest metrics (and how old they are) beside the record. */
  async show(deviceId: string): Promise<DeviceRecord & { metrics: DeviceMetricsView }> {
    const [device, metrics] = await Promise.all([
      this.get(deviceId),
      this.metrics.latest(deviceId),
    ]);
    return { ...device, metrics };
  }

  /** Rebuilds the device from its own events recorded up to `at` (inclusive). */
  async getAt(deviceId: string, at: Date): Promise<DeviceRecord> {
    const { events } = await this.store.readStream(deviceStreamId(deviceId), { until: at });
    const device = foldDevice(events);
    if (!device) throw new NotFoundError(`device ${deviceId} did not exist at ${at.toISOString()}`);
    return device;
  }

  async history(deviceId: string, after: number, limit: number): Promise<EventView[]> {
    const { events } = await this.store.readStream(deviceStreamId(deviceId), {
      fromVersion: after + 1,
      toVersion: after + limit,
    });
    if (events.length === 0 && after === 0) throw new NotFoundError(`device ${deviceId} not found`);
    return events.map(toEventView);
  }

  /** Read, decide, append (retried on conflict), then wait for the registry to show it. */
  async execute(command: DeviceCommand, ctx: CommandContext): Promise<DeviceRecord> {
    const streamId = deviceStreamId(command.deviceId);
    const outcome = await handleCommand<DeviceRecord | undefined>(
      this.store,
      streamId,
      (device) => decideDevice(command, device).map((e) => ({ ...e, metadata: metadataOf(ctx) })),
      evolveDevice,
      () => undefined,
    );
    await this.projections.waitForStreamVersion(
      deviceRegistryProjection.name,
      streamId,
      outcome.version,
    );
    return this.get(command.deviceId);
  }
}
