import { setTimeout as sleep } from "node:timers/promises";
import { Inject, Injectable } from "@nestjs/common";
import { AuditRepository, positionOf } from "./audit.repository.js";
import { type AuditCursor, encodeCursor } from "./audit-cursor.js";
import type { EventFilter } from "./event-filter.js";
import type { EventView } from "./event-view.js";

export interface EventPage {
  items: EventView[];
  /** Cursor for the next page; null when this page reached the end of what is visible now. */
  next: string | null;
  /** Cursor to poll from later for events committed after this page (never skips any). */
  resume: string | null;
}

const EXPORT_BATCH = 1000;

/** The audit API over the event history: pages, streamed exports and a live tail. */
@Injectable()
export class AuditService {
  constructor(@Inject(AuditRepository) private readonly events: AuditRepository) {}

  async page(
    filter: EventFilter,
    after: AuditCursor | undefined,
    limit: number,
  ): Promise<EventPage> {
    // One extra row tells whether another page exists without a second query.
    const rows = await this.events.page(filter, after, limit + 1);
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    const resumeAt = last ? positionOf(last) : after;
    return {
      items,
      next: rows.length > limit && last ? encodeCursor(positionOf(last)) : null,
      resume: resumeAt ? encodeCursor(resumeAt) : null,
    };
  }

  /** The first `max` matching events, in batches, for NDJSON/CSV exports. */
  async *all(
    filter: EventFilter,
    after: AuditCursor | undefined,
    max: number,
  ): AsyncGenerator<EventView> {
    let position = after;
    let left = max;
    while (left > 0) {
      const size = Math.min(EXPORT_BATCH, left);
      const batch = await this.events.page(filter, position, size);
      yield* batch;
      left -= batch.length;
      const last = batch.at(-1);
      if (!last || batch.length < size) return;
      position = positionOf(last);
    }
  }

  /** Where a live tail that wants only new events starts (resolve it before answering). */
  head(): Promise<AuditCursor | undefined> {
    return this.events.head();
  }

  /** New matching events after `from` as they commit, until `signal` aborts. */
  async *tail(
    filter: EventFilter,
    from: AuditCursor | undefined,
    signal: AbortSignal,
    pollMs = 250,
  ): AsyncGenerator<EventView> {
    let position = from;
    while (!signal.aborted) {
      const batch = await this.events.page(filter, position, EXPORT_BATCH);
      yield* batch;
      const last = batch.at(-1);
      if (last) position = positionOf(last);
      if (batch.length < EXPORT_BATCH) await sleep(pollMs, undefined, { signal }).catch(() => {});
    }
  }
}
