import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import type { Appender } from "./workload.js";

/** A value in COPY's text format: backslash, tab, newline and carriage return escaped. */
const copyText = (value: string | number) =>
  String(value).replace(/[\\\t\n\r]/g, (c) =>
    c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r",
  );

/**
 * The physical floor of an append: the same rows (columns of `events`, a fresh event id, the
 * stream's next versions) written with one `COPY … FROM STDIN` per batch, which commits on its
 * own. `indexed`: into `LIKE events INCLUDING ALL` (every index and constraint of the event
 * store's table: primary key, unique event id, unique stream version, commit order, type, BRIN
 * time, actor, correlation); otherwise into a bare copy (columns, defaults, identity; no index).
 * No stream row, no version check, no notify: what Postgres needs to take the bytes, nothing more.
 */
export async function openCopyFloor(pool: pg.Pool, indexed: boolean): Promise<Appender> {
  const table = indexed ? "copy_floor_indexed" : "copy_floor_bare";
  const like = indexed ? "INCLUDING ALL" : "INCLUDING DEFAULTS INCLUDING IDENTITY";
  await pool.query(`CREATE TABLE ${table} (LIKE events ${like})`);
  const copy = `COPY ${table} (stream_id, stream_version, event_id, type, schema_version, data, metadata) FROM STDIN`;
  return async (stream, events, version) => {
    const text = events
      .map((event, i) =>
        [
          stream,
          version + i + 1,
          randomUUID(),
          event.type,
          1,
          JSON.stringify(event.data),
          JSON.stringify(event.metadata),
        ]
          .map(copyText)
          .join("\t"),
      )
      .join("\n");
    const client = await pool.connect();
    try {
      await pipeline(Readable.from([`${text}\n`]), client.query(copyFrom(copy)));
    } finally {
      client.release();
    }
    return version + events.length;
  };
}
