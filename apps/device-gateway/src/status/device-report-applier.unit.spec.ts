import type { DeviceMessage } from "@statecast/contract";
import {
  R2,
  targetedDevice,
} from "../../../../libs/device-domain/src/device-history.test-helper.js";
import { type ArrivedMessage, decideMessages } from "./device-report-applier.js";

/** Enrolled, targeted at fleet#2, with the boot-a report `seq` applied. */
const aDeviceAt = (seq: number) => targetedDevice({ bootId: "boot-a", seq, status: "QUEUED" });

function report(seq: number, overrides: Record<string, unknown> = {}): ArrivedMessage {
  const message = {
    kind: "progress",
    deviceId: "d1",
    bootId: "boot-a",
    seq,
    revision: R2,
    status: "DOWNLOADING",
    progress: 25,
    message: `report ${seq}`,
    at: "2026-01-01T00:00:00Z",
    ...overrides,
  } as DeviceMessage;
  return { message, messageId: `d1:boot-a:${seq}`, receivedAt: "2026-01-01T00:00:01Z" };
}

const beat: ArrivedMessage = {
  message: { kind: "heartbeat", deviceId: "d1", bootId: "boot-a", at: "2026-01-01T00:00:00Z" },
  messageId: "d1:boot-a:hb:9",
  receivedAt: "2026-01-01T00:00:01Z",
};

const fateKinds = (fates: ReturnType<typeof decideMessages>["fates"]) =>
  fates.map((f) => (f.applied ? f.eventType : f.reason));

describe("decideMessages across a gap in a boot's seqs", () => {
  it("holds the report that came ahead and every later report of the device; a heartbeat goes on", () => {
    const { events, fates } = decideMessages("d1", [report(3), beat, report(4)], aDeviceAt(1));
    expect(events.map((e) => e.type)).toEqual(["DeviceCameOnline"]);
    expect(fateKinds(fates)).toEqual(["held", "DeviceCameOnline", "held"]);
    expect(fates[0]).toMatchObject({ gap: { bootId: "boot-a", from: 2, to: 2 } });
  });

  it("applies them in order once the missing report is first in line", () => {
    const { fates } = decideMessages("d1", [report(2), report(3), report(4)], aDeviceAt(1));
    expect(fateKinds(fates)).toEqual(Array(3).fill("UpdateProgressReported"));
  });

  it("applies a report whose hold was given up, saying which seqs it skipped", () => {
    const given = { ...report(4), gapGivenUp: true };
    const { fates } = decideMessages("d1", [given, report(5)], aDeviceAt(1));
    expect(fates).toMatchObject([
      { applied: true, skipped: { bootId: "boot-a", from: 2, to: 3 } },
      { applied: true },
    ]);
    expect(fates[1]).not.toHaveProperty("skipped");
  });

  it("counts a report acked without an event (here: not targeted) as no gap", () => {
    const other = report(2, { revision: { fleet: "fleet", number: 9 } });
    const { fates } = decideMessages("d1", [other, report(3)], aDeviceAt(1));
    expect(fateKinds(fates)).toEqual(["not_targeted", "UpdateProgressReported"]);
    const later = decideMessages("d1", [report(3)], aDeviceAt(1), { bootId: "boot-a", seq: 2 });
    expect(fateKinds(later.fates)).toEqual(["UpdateProgressReported"]);
  });
});

describe("decideMessages with prevSeq (the seq the agent sent before each report)", () => {
  it("applies at once a report past seqs its agent kept back, the next ones chained to it", () => {
    const { fates } = decideMessages(
      "d1",
      [report(4, { prevSeq: 1 }), report(6, { prevSeq: 4 })],
      aDeviceAt(1),
    );
    expect(fateKinds(fates)).toEqual(["UpdateProgressReported", "UpdateProgressReported"]);
    expect(fates.some((f) => f.applied && f.skipped)).toBe(false);
  });

  it("holds a report whose declared predecessor is not in, until it comes first in line", () => {
    const held = decideMessages("d1", [report(6, { prevSeq: 4 })], aDeviceAt(1));
    expect(held.fates).toMatchObject([{ reason: "held", gap: { from: 4, to: 4 } }]);
    const filled = decideMessages(
      "d1",
      [report(4, { prevSeq: 1 }), report(6, { prevSeq: 4 })],
      aDeviceAt(1),
    );
    expect(fateKinds(filled.fates)).toEqual(Array(2).fill("UpdateProgressReported"));
  });

  it("counts only the declared seq as skipped when that hold is given up", () => {
    const given = { ...report(6, { prevSeq: 4 }), gapGivenUp: true };
    const { fates } = decideMessages("d1", [given], aDeviceAt(1));
    expect(fates).toMatchObject([{ applied: true, skipped: { from: 4, to: 4 } }]);
  });
});
