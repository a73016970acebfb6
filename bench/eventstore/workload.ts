import { randomUUID } from "node:crypto";
import type { EventMetadata, NewEvent } from "@statecast/events";

/** Appends `events` to `stream` after the stream reached `version` (0 = new); returns the new version. */
export type Appender = (stream: string, events: NewEvent[], version: number) => Promise<number>;

export interface Throughput {
  events: number;
  seconds: number;
  eps: number;
}

export const metadata = (): EventMetadata => ({
  correlationId: randomUUID(),
  causationId: randomUUID(),
  actor: "device:bench-0001",
  traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
  now: new Date().toISOString(),
});

/** A realistic device progress report, the most frequent event in a fleet. */
export function aProgressReport(seq: number, meta: EventMetadata = metadata()): NewEvent {
  return {
    type: "UpdateProgressReported",
    data: {
      bootId: "5b0c4f5e-4d0e-4c1a-9a53-0b8b8b1f2e11",
      seq,
      revision: { fleet: "main", number: 42 },
      status: "DOWNLOADING",
      progress: 25,
      message: "downloading objects",
      downloads: { total: 73_400_320, done: seq * 4096, objects: 12 },
    },
    metadata: meta,
  };
}

/**
 * `concurrency` workers, each on its own stream, append `batch`-event batches with the expected
 * version for `seconds`. Returns committed events per second.
 */
export async function appendLoad(
  label: string,
  append: Appender,
  options: { concurrency: number; batch: number; seconds: number },
): Promise<Throughput> {
  const run = randomUUID().slice(0, 8);
  const deadline = performance.now() + options.seconds * 1000;
  const start = performance.now();
  let events = 0;
  await Promise.all(
    Array.from({ length: options.concurrency }, async (_, w) => {
      const stream = `device:${label}-${run}-${w}`;
      let version = 0;
      while (performance.now() < deadline) {
        // One command's events share its metadata (same correlation, actor and instant).
        const meta = metadata();
        const batch = Array.from({ length: options.batch }, (_, i) =>
          aProgressReport(version + i, meta),
        );
        version = await append(stream, batch, version);
        events += options.batch;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return { events, seconds, eps: Math.round(events / seconds) };
}
