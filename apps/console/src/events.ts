import { session } from "./api";

export type StreamedEvent = {
  type: string;
  streamId: string;
  globalPosition: string;
  recordedAt: string;
  data: Record<string, unknown>;
  metadata: { actor?: string };
};

/**
 * Follows `GET /v1/events/stream` (Server-Sent Events). `fetch` rather than `EventSource`, so the
 * token goes in the Authorization header and never in a URL. Reconnects with the last event id.
 * Returns a function that stops it.
 */
export function followEvents(
  filter: string,
  onEvent: (event: StreamedEvent) => void,
  onOpen: () => void = () => {},
): () => void {
  const abort = new AbortController();
  let lastId: string | undefined;
  const run = async () => {
    while (!abort.signal.aborted) {
      try {
        const headers: Record<string, string> = { Authorization: `Bearer ${session.token()}` };
        if (lastId) headers["Last-Event-ID"] = lastId;
        const response = await fetch(`/v1/events/stream${filter}`, {
          headers,
          signal: abort.signal,
        });
        if (!response.ok || !response.body) throw new Error(`stream: HTTP ${response.status}`);
        onOpen();
        await readFrames(response.body, (id, data) => {
          lastId = id ?? lastId;
          onEvent(JSON.parse(data) as StreamedEvent);
        });
      } catch {
        if (abort.signal.aborted) return;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  };
  void run();
  return () => abort.abort();
}

async function readFrames(
  body: ReadableStream<Uint8Array>,
  onFrame: (id: string | undefined, data: string) => void,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end !== -1) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf("\n\n");
      let id: string | undefined;
      const data: string[] = [];
      for (const line of frame.split("\n")) {
        if (line.startsWith("id: ")) id = line.slice(4);
        else if (line.startsWith("data: ")) data.push(line.slice(6));
      }
      if (data.length > 0) onFrame(id, data.join("\n"));
    }
  }
}
