import type { RecordedEvent } from "./envelope.js";
import { eventPayload, eventSubject, parseEventPayload, subjectToken } from "./relay-subject.js";

describe("relay subjects", () => {
  it("builds sc.evt.<streamType>.<streamKey>.<EventType>", () => {
    expect(eventSubject({ streamId: "rollout:r1", type: "WaveStarted" })).toBe(
      "sc.evt.rollout.r1.WaveStarted",
    );
    expect(eventSubject({ streamId: "revision:main:7", type: "RevisionPosted" })).toBe(
      "sc.evt.revision.main:7.RevisionPosted",
    );
  });

  it("keeps dots, spaces and wildcards out of a token, reversibly", () => {
    expect(subjectToken("a.b")).toBe("a%2Eb");
    expect(subjectToken("x y\tz")).toBe("x%20y%09z");
    expect(subjectToken("*")).toBe("%2A");
    expect(subjectToken(">")).toBe("%3E");
    expect(subjectToken("50%")).toBe("50%25");
    expect(subjectToken("é")).toBe("%C3%A9");
    expect(subjectToken("")).toBe("%00");
    expect(decodeURIComponent(subjectToken("dev.1 *>%"))).toBe("dev.1 *>%");
    expect(eventSubject({ streamId: "device:lab.board 1", type: "DeviceEnrolled" })).toBe(
      "sc.evt.device.lab%2Eboard%201.DeviceEnrolled",
    );
  });

  it("never yields more than five tokens, whatever the id", () => {
    for (const id of ["a.b.c", "...", "> *", "x\u0000y"]) {
      const subject = eventSubject({ streamId: `device:${id}`, type: "DeviceEnrolled" });
      expect(subject.split(".")).toHaveLength(5);
      expect(subject).not.toMatch(/[\s*>]/);
    }
  });

  it("carries an event through its payload and back, bigints and dates included", () => {
    const event: RecordedEvent = {
      globalPosition: 9_007_199_254_740_993n,
      streamId: "device:d1",
      streamVersion: 3,
      eventId: "0b6c8f4e-3c1a-4c55-9a51-6f1f0c3a2b10",
      type: "TargetAssigned",
      schemaVersion: 1,
      data: { seq: 2 },
      metadata: {
        actor: "system:test",
        correlationId: "c1",
        causationId: "c0",
        now: "2026-12-06T20:00:00.000Z",
      },
      recordedAt: new Date("2026-12-06T20:00:00.123Z"),
      transactionId: 42n,
    };
    expect(parseEventPayload(eventPayload(event))).toEqual(event);
    const { recordedAt: _, ...noDate } = JSON.parse(eventPayload(event));
    expect(() => parseEventPayload(JSON.stringify(noDate))).toThrow(
      "relayed event has no recordedAt",
    );
  });
});
