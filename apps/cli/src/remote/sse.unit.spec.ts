import { serverEvents } from "./sse.js";

function streamOf(...pieces: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces) controller.enqueue(encoder.encode(piece));
      controller.close();
    },
  });
}

describe("serverEvents", () => {
  it("reads events split anywhere across chunks, skipping comments", async () => {
    const events = [];
    for await (const e of serverEvents(
      streamOf(
        ": hi\n\nevent: log\nda",
        'ta: {"text":"a\\n"}\n',
        "\nevent: end\r\ndata: x\r\n\r\n",
      ),
    ))
      events.push(e);
    expect(events).toEqual([
      { event: "log", data: '{"text":"a\\n"}' },
      { event: "end", data: "x" },
    ]);
  });

  it("joins data lines and names an unnamed event message", async () => {
    const events = [];
    for await (const e of serverEvents(streamOf("data: a\ndata: b\n\n"))) events.push(e);
    expect(events).toEqual([{ event: "message", data: "a\nb" }]);
  });
});
