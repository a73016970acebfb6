import type { Command } from "commander";
import type { CommandGroup } from "../cli/command-group.js";
import { connect, remoteCommand, remoteOption } from "../remote/remote-command.js";
import { repeatable, table } from "../remote/table.js";

/** An event as the audit API shows it. */
export interface EventView {
  globalPosition: string;
  streamId: string;
  streamVersion: number;
  eventId: string;
  type: string;
  data: unknown;
  metadata: unknown;
  recordedAt: string;
}

interface AuditOptions {
  stream?: string;
  device?: string;
  rollout?: string;
  fleet?: string;
  type?: string[];
  actor?: string;
  correlationId?: string;
  from?: string;
  to?: string;
  limit?: string;
  cursor?: string;
  ndjson?: boolean;
  remote?: string;
}

/** Table rows of events: time, type, stream, actor. */
export function eventLines(events: EventView[]): string[] {
  return table(
    ["RECORDED", "TYPE", "STREAM", "ACTOR"],
    events.map((e) => [e.recordedAt, e.type, e.streamId, actorOf(e)]),
  );
}

function actorOf(event: EventView): string {
  const actor = (event.metadata as { actor?: unknown } | null)?.actor;
  return typeof actor === "string" ? actor : "-";
}

async function* ndjsonLines(body: AsyncIterable<Uint8Array> | null): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of body ?? []) {
    buffer += decoder.decode(chunk, { stream: true });
    const lines = buffer.split("\n");
    buffer = lines.pop() ?? "";
    yield* lines.filter((line) => line !== "");
  }
  if (buffer !== "") yield buffer;
}

/** The cursor of an export's truncation line (`{"truncated":true,…,"next":…}`), else undefined. */
function continuationOf(line: string): string | undefined {
  if (!line.startsWith('{"truncated":true')) return undefined;
  const next = (JSON.parse(line) as { next?: unknown }).next;
  return typeof next === "string" ? next : undefined;
}

/** `statecast audit`: the event history with the API's filters, as a table or NDJSON. */
export const registerAuditCommand: CommandGroup = (program, ctx) => {
  remoteOption(
    program
      .command("audit")
      .description("who did what, when: the event history, filtered")
      .option("--stream <id>", "one stream, e.g. device:dev-42")
      .option("--device <id>", "events about this device")
      .option("--rollout <id>", "events of this rollout")
      .option("--fleet <name>", "events of this fleet")
      .option("--type <type>", "event type (repeatable)", repeatable)
      .option("--actor <actor>", "e.g. operator:ann")
      .option("--correlation-id <id>", "one command's events")
      .option("--from <instant>", "ISO-8601, inclusive (to the millisecond)")
      .option("--to <instant>", "ISO-8601, exclusive (to the millisecond)")
      .option("--limit <n>", "page size (table and --json; default 100)")
      .option("--cursor <cursor>", "continue from a cursor printed earlier")
      .option("--ndjson", "stream every match as NDJSON (one event per line)")
      .addHelpText(
        "after",
        "\nExamples:\n  $ statecast audit --device dev-42 --type UpdateFailed\n  $ statecast audit --fleet lab --from 2026-01-01T00:00:00Z --ndjson > lab.ndjson\n",
      ),
  ).action((opts: AuditOptions, command: Command) =>
    remoteCommand(ctx, async () => {
      const { remote, ndjson, ...filter } = opts;
      const client = await connect(ctx, { remote });
      if (ndjson) {
        const { limit: _ignored, ...all } = filter;
        // The server cuts an export at its row cap with a last line naming the cursor to go on
        // from: follow it, so the file holds every match and only events.
        let cursor = all.cursor;
        do {
          const response = await client.request("GET", "/v1/events", {
            query: { ...all, ...(cursor ? { cursor } : {}), format: "ndjson" },
          });
          cursor = undefined;
          for await (const line of ndjsonLines(response.body)) {
            const next = continuationOf(line);
            if (next) cursor = next;
            else ctx.io.stdout(`${line}\n`);
          }
        } while (cursor);
        return;
      }
      const page = await client.get<{ items: EventView[]; next: string | null }>("/v1/events", {
        ...filter,
      });
      const human = page.items.length ? eventLines(page.items) : ["no matching events"];
      if (page.next) human.push(`more: statecast audit --cursor ${page.next} (same filters)`);
      ctx.emit(command, { ok: true, human, data: page });
    }),
  );
};
