import { once } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Controller, Get, Inject, Query, Req, Res } from "@nestjs/common";
import { ApiOkResponse, ApiOperation, ApiProduces, ApiResponse, ApiTags } from "@nestjs/swagger";
import {
  type EventFilterQuery,
  type EventPageQuery,
  eventFilterQuery,
  eventPageQuery,
} from "@statecast/contract/http";
import { ValidationError } from "@statecast/events";
import type { AuthenticatedRequest } from "../auth/principal.js";
import { Roles } from "../auth/roles.decorator.js";
import { ApiQueryParams, ZodPipe } from "../openapi/zod-contract.js";
import { positionOf } from "./audit.repository.js";
import { AuditService } from "./audit.service.js";
import { type AuditCursor, decodeCursor, encodeCursor } from "./audit-cursor.js";
import { AuditGate, type TokenSlots } from "./audit-limits.js";
import { CSV_HEADER, csvLine, toCsvLine, toNdjsonLine, truncationLine } from "./event-export.js";
import type { EventFilter } from "./event-filter.js";
import type { EventView } from "./event-view.js";

function filterOf(query: EventFilterQuery): {
  filter: EventFilter;
  after: AuditCursor | undefined;
} {
  const filter: EventFilter = {};
  if (query.stream !== undefined) filter.streamId = query.stream;
  if (query.device !== undefined) filter.deviceId = query.device;
  if (query.rollout !== undefined) filter.rolloutId = query.rollout;
  if (query.fleet !== undefined) filter.fleet = query.fleet;
  if (query.type !== undefined && query.type.length > 0) filter.types = query.type;
  if (query.actor !== undefined) filter.actor = query.actor;
  if (query.correlationId !== undefined) filter.correlationId = query.correlationId;
  if (query.from !== undefined) filter.from = new Date(query.from);
  if (query.to !== undefined) filter.to = new Date(query.to);
  if (filter.from && filter.to && filter.from > filter.to) {
    throw new ValidationError("from must not be after to", {
      details: [{ path: "from", message: "must be at or before `to`" }],
    });
  }
  return { filter, after: query.cursor === undefined ? undefined : decodeCursor(query.cursor) };
}

/** Writes with backpressure; false once the client has gone. */
async function send(response: ServerResponse, text: string): Promise<boolean> {
  if (response.destroyed) return false;
  if (!response.write(text)) await Promise.race([once(response, "drain"), once(response, "close")]);
  return !response.destroyed;
}

/** Holds one of the token's slots until the response is over, however it ends (429 if none). */
function holdSlot(slots: TokenSlots, request: AuthenticatedRequest, response: ServerResponse) {
  const release = slots.take(request.principal?.tokenId ?? "anonymous");
  response.once("close", release);
}

@ApiTags("audit")
@Roles("viewer")
@Controller("v1/events")
export class AuditController {
  constructor(
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(AuditGate) private readonly gate: AuditGate,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      "Query the event history; format=ndjson|csv streams the matches, at most STATECAST_AUDIT_EXPORT_MAX_ROWS per request (a cut export ends with a line giving the cursor to continue from)",
  })
  @ApiProduces("application/json", "application/x-ndjson", "text/csv")
  @ApiOkResponse({ description: "{items, next, resume} for json" })
  @ApiResponse({ status: 429, description: "the token has too many audit queries running" })
  @ApiResponse({ status: 503, description: "the query ran past the statement timeout" })
  @ApiQueryParams(eventPageQuery)
  async query(
    @Query(new ZodPipe(eventPageQuery)) query: EventPageQuery,
    @Req() request: AuthenticatedRequest,
    @Res() response: ServerResponse,
  ): Promise<void> {
    const { filter, after } = filterOf(query);
    holdSlot(this.gate.queries, request, response);
    const format = query.format ?? "json";
    if (format === "json") {
      const page = await this.audit.page(filter, after, query.limit ?? 100);
      response.setHeader("Content-Type", "application/json; charset=utf-8");
      response.end(JSON.stringify(page));
      return;
    }
    const csv = format === "csv";
    // Headers go out with the first line, so a query that fails before (a statement timeout, say)
    // is still answered with its status and a JSON error.
    let started = false;
    const write = (text: string) => {
      if (started) return send(response, text);
      started = true;
      response.setHeader("Content-Type", csv ? "text/csv; charset=utf-8" : "application/x-ndjson");
      response.setHeader("Content-Disposition", `attachment; filename="events.${format}"`);
      return send(response, csv ? csvLine(CSV_HEADER) + text : text);
    };
    const max = this.gate.limits.exportMaxRows;
    let sent = 0;
    let last: EventView | undefined;
    try {
      // One row past the cap tells whether the export was cut, without a count.
      for await (const event of this.audit.all(filter, after, max + 1)) {
        if (sent === max && last) {
          await write(truncationLine(format, max, encodeCursor(positionOf(last))));
          break;
        }
        if (!(await write(csv ? toCsvLine(event) : toNdjsonLine(event)))) return;
        sent += 1;
        last = event;
      }
    } catch (error) {
      // Past the headers, a failed batch (a statement timeout) must not read as a complete file:
      // the transfer is cut, which every client reports as an error.
      if (started) response.destroy(error as Error);
      throw error;
    }
    if (!started) await write("");
    response.end();
  }

  @Get("stream")
  @ApiOperation({
    summary:
      "Live tail (Server-Sent Events); each event's id is a resumable cursor. A tail ends after STATECAST_AUDIT_TAIL_MAX_SECONDS: reconnect with Last-Event-ID",
  })
  @ApiProduces("text/event-stream")
  @ApiResponse({ status: 429, description: "the token has too many live tails open" })
  @ApiQueryParams(eventFilterQuery)
  async stream(
    @Query(new ZodPipe(eventFilterQuery)) query: EventFilterQuery,
    @Req() request: IncomingMessage & AuthenticatedRequest,
    @Res() response: ServerResponse,
  ): Promise<void> {
    const lastEventId = request.headers["last-event-id"];
    const resumed = typeof lastEventId === "string" ? { ...query, cursor: lastEventId } : query;
    const { filter, after } = filterOf(resumed);
    holdSlot(this.gate.tails, request, response);
    // Fixed before the headers go out: an event committed once the client sees 200 is delivered.
    const from = after ?? (await this.audit.head());
    const abort = new AbortController();
    request.on("close", () => abort.abort());
    const maxSeconds = this.gate.limits.tailMaxSeconds;
    const expiry = setTimeout(() => abort.abort(), maxSeconds * 1000);
    response.once("close", () => clearTimeout(expiry));
    response.writeHead(200, {
      "Content-Type": "text/event-stream",
      "Cache-Control": "no-cache",
      Connection: "keep-alive",
    });
    response.write(": tailing events\n\n");
    try {
      for await (const event of this.audit.tail(filter, from, abort.signal)) {
        const id = encodeCursor(positionOf(event));
        const frame = `id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
        if (!(await send(response, frame))) break;
      }
      // Said only to a client still there, i.e. when the time bound ended the tail.
      await send(response, `: tail closed after ${maxSeconds} s; reconnect with Last-Event-ID\n\n`);
    } finally {
      // Also when a poll failed (a statement timeout): the client resumes from its last id.
      clearTimeout(expiry);
      response.end();
    }
  }
}
