import { type DeviceState, foldDevice } from "@statecast/device-domain";
import {
  type AppendManyResult,
  deviceStreamId,
  type RecordedEvent,
  type StreamAppend,
} from "@statecast/events";
import { In, type Repository } from "typeorm";
import { Remembered } from "../objects/remembered.js";
import { CoalescedWrites } from "./coalesced-writes.js";
import type { GatewayViewEvent } from "./gateway-view-event.entity.js";
import { VIEW_EVENT_TYPES } from "./view-event-types.js";

/** A stream as the view holds it: its events the gateway decides with, in order. */
export interface ViewedStream {
  events: RecordedEvent[];
  /** The last version the view holds; the whole stream's only where it keeps every type. */
  version: number;
}

const viewed = new Set(VIEW_EVENT_TYPES);

/** Posted revisions whose objects are kept (a fleet rolls out a handful at a time). */
const REVISIONS_KEPT = 1_024;

/**
 * The gateway's own view of the streams it decides with (devices' enrollment, approval, keys and
 * targets; enrollment tokens; posted revisions), fed from SC_EVENTS by `ViewEventsController`.
 * Every read of hello, object access and revocation goes here, never to the orchestrator's tables.
 * It trails the record by the relay's delay: a decision on a stale view is refused or retried by
 * its caller (see EnrollmentResponder), never taken on guessed state.
 */
export class GatewayView {
  /** Posted revisions' objects, by revision stream (immutable once posted). */
  private readonly revisionObjects = new Remembered<Set<string> | undefined>(
    Number.POSITIVE_INFINITY,
    (objects) => objects !== undefined, // not posted yet: asked again next time
    Date.now,
    REVISIONS_KEPT,
  );

  /**
   * The record's events, one statement for all the consumers' handlers waiting at once (the
   * target consumer handles 32 devices at a time: a wave's targets were a statement each).
   */
  private readonly fromRecord = new CoalescedWrites<Partial<GatewayViewEvent>>((rows) =>
    this.insert(onePerEvent(rows), "from the record"),
  );

  constructor(private readonly rows: Repository<GatewayViewEvent>) {}

  /**
   * Adds an event once (by event id): delivering it again changes nothing. An event the gateway
   * recorded itself (`recordAppended`) takes its committed time and position from SC_EVENTS.
   */
  async record(event: RecordedEvent): Promise<void> {
    if (!viewed.has(event.type)) return;
    await this.fromRecord.add(row(event));
  }

  /**
   * What this gateway just appended (each event with its `eventId`), before SC_EVENTS brings it:
   * its next hello decides on it, not on the view as it was. Time and position are the append's
   * until the relayed copy replaces them.
   */
  async recordAppended(appends: readonly StreamAppend[], result: AppendManyResult): Promise<void> {
    const rows: Partial<GatewayViewEvent>[] = [];
    for (const { streamId, events } of appends) {
      const last = result.versions.get(streamId) ?? 0;
      events.forEach((event, i) => {
        if (!event.eventId || !viewed.has(event.type)) return;
        rows.push({
          eventId: event.eventId,
          streamId,
          streamVersion: last - events.length + i + 1,
          type: event.type,
          schemaVersion: 1,
          data: jsonObject(event.data),
          metadata: event.metadata,
          globalPosition: result.lastGlobalPosition.toString(),
          recordedAt: new Date(event.metadata.now),
        });
      });
    }
    if (rows.length > 0) await this.insert(rows, "appended here");
  }

  private async insert(
    rows: Partial<GatewayViewEvent>[],
    source: "from the record" | "appended here",
  ) {
    // In one order (event id) everywhere: two statements of many rows never wait on each other.
    const sorted = [...rows].sort((a, b) => ((a.eventId ?? "") < (b.eventId ?? "") ? -1 : 1));
    const insert = this.rows.createQueryBuilder().insert().values(sorted);
    await (source === "from the record"
      ? // Both device consumers record the same events: the second one writes no row.
        insert.orUpdate(["recorded_at", "global_position"], ["event_id"], {
          skipUpdateIfNoValuesChanged: true,
        })
      : insert.orIgnore()
    ).execute();
  }

  async streams(streamIds: readonly string[]): Promise<Map<string, ViewedStream>> {
    const rows = await this.rows.find({
      where: { streamId: In([...streamIds]) },
      order: { streamId: "ASC", streamVersion: "ASC" },
    });
    const streams = new Map<string, ViewedStream>();
    for (const row of rows) {
      const stream = streams.get(row.streamId) ?? { events: [], version: 0 };
      stream.events.push(recorded(row));
      stream.version = row.streamVersion;
      streams.set(row.streamId, stream);
    }
    return streams;
  }

  /** The device as far as the view tells (approval, fleet, keys, targeted revisions). */
  async device(deviceId: string): Promise<DeviceState> {
    return (await this.devices([deviceId])).get(deviceId) as DeviceState;
  }

  /** Each device as far as the view tells, in one query (a device the view lacks: not enrolled). */
  async devices(deviceIds: readonly string[]): Promise<Map<string, DeviceState>> {
    const streams = await this.streams(deviceIds.map(deviceStreamId));
    return new Map(
      deviceIds.map((id) => [id, foldDevice(id, streams.get(deviceStreamId(id))?.events ?? [])]),
    );
  }

  /**
   * Whether a posted revision (of these streams, or any of the fleet's when undefined) names
   * `sha`. A revision's `RevisionPosted` never changes, so the objects of each named stream are
   * read once and kept: a wave of 6,000 devices asking for the same revision's objects cost one
   * query per (device, object) pair before (issue 16).
   */
  async inRevision(sha: string, fleet: string, streams: string[] | undefined): Promise<boolean> {
    if (streams?.length === 0) return false;
    if (!streams) {
      const rows: unknown[] = await this.rows.query(
        `SELECT 1 FROM gateway_view_events WHERE stream_id LIKE $2 AND type = 'RevisionPosted'
            AND (data ->> 'digest' = $1 OR data -> 'objects' ? $1) LIMIT 1`,
        [sha, `revision:${fleet.replace(/[\\%_]/g, "\\$&")}:%`],
      );
      return rows.length > 0;
    }
    const named = await Promise.all(
      streams.map((stream) => this.revisionObjects.get(stream, () => this.postedObjects(stream))),
    );
    return named.some((objects) => objects?.has(sha));
  }

  /** The state digest and objects of a revision stream; undefined while the view holds no post. */
  private async postedObjects(stream: string): Promise<Set<string> | undefined> {
    const rows: { digest: string; objects: string[] }[] = await this.rows.query(
      `SELECT data ->> 'digest' AS digest, data -> 'objects' AS objects
         FROM gateway_view_events WHERE stream_id = $1 AND type = 'RevisionPosted'`,
      [stream],
    );
    if (rows.length === 0) return undefined;
    return new Set(rows.flatMap(({ digest, objects }) => [digest, ...objects]));
  }

  /** Every revoked device key, at the latest time it was revoked. */
  async revokedKeys(): Promise<{ key: string; at: Date }[]> {
    return this.rows.query(
      `SELECT data ->> 'publicKey' AS key, max(recorded_at) AS at FROM gateway_view_events
        WHERE type = 'DeviceCredentialsRevoked' GROUP BY 1`,
    );
  }

  /** Devices of a fleet waiting for approval, counted up to `limit`. */
  async pendingCount(fleet: string, limit: number): Promise<number> {
    const rows: { n: number }[] = await this.rows.query(
      `SELECT count(*)::int AS n FROM (
         SELECT 1 FROM gateway_view_events e
          WHERE e.type = 'DeviceEnrolled' AND e.data ->> 'enrolledWith' = 'approval'
            AND e.data ->> 'fleet' = $1
            AND NOT EXISTS (SELECT 1 FROM gateway_view_events x WHERE x.stream_id = e.stream_id
                              AND x.type IN ('DeviceApproved', 'DeviceDecommissioned'))
          LIMIT $2) p`,
      [fleet, limit],
    );
    return rows[0]?.n ?? 0;
  }
}

/** Both device consumers may record one event in the same group: an upsert takes a row once. */
function onePerEvent(rows: Partial<GatewayViewEvent>[]): Partial<GatewayViewEvent>[] {
  const byId = new Map(rows.map((r) => [r.eventId, r]));
  return byId.size === rows.length ? rows : [...byId.values()];
}

function row(event: RecordedEvent): Partial<GatewayViewEvent> {
  return {
    eventId: event.eventId,
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    type: event.type,
    schemaVersion: event.schemaVersion,
    data: jsonObject(event.data),
    metadata: event.metadata,
    globalPosition: event.globalPosition.toString(),
    recordedAt: event.recordedAt,
  };
}

function recorded(row: GatewayViewEvent): RecordedEvent {
  return {
    eventId: row.eventId,
    streamId: row.streamId,
    streamVersion: row.streamVersion,
    type: row.type,
    schemaVersion: row.schemaVersion,
    data: row.data,
    metadata: row.metadata,
    globalPosition: BigInt(row.globalPosition),
    recordedAt: row.recordedAt,
    transactionId: 0n,
  };
}

/** Event data is a JSON object (every catalog schema is one); the column says so. */
function jsonObject(data: unknown): object {
  if (typeof data !== "object" || data === null || Array.isArray(data))
    throw new Error("event data is not a JSON object");
  return data;
}
