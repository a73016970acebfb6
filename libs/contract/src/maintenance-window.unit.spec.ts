import {
  type MaintenanceWindow,
  maintenanceWindowProblem,
  windowStateAt,
  windowsStateAt,
  windowWaitMessage,
  windowWaitOf,
} from "./maintenance-window.js";

const at = (iso: string) => new Date(iso);
const nightly = (
  timeZone: string,
  cron = "0 2 * * *",
  durationMinutes = 120,
): MaintenanceWindow => ({
  name: "nightly",
  cron,
  durationMinutes,
  timeZone,
});

describe("a maintenance window as a function of the injected clock", () => {
  it("opens at its local start and closes after its duration, in the window's zone", () => {
    const berlin = nightly("Europe/Berlin"); // 02:00-04:00 CET = 01:00-03:00 UTC in winter
    expect(windowStateAt(berlin, at("2026-01-15T00:59:59Z"))).toEqual({
      open: false,
      window: "nightly",
      opensAt: "2026-01-15T01:00:00.000Z",
    });
    expect(windowStateAt(berlin, at("2026-01-15T01:00:00Z"))).toEqual({
      open: true,
      window: "nightly",
      closesAt: "2026-01-15T03:00:00.000Z",
    });
    expect(windowStateAt(berlin, at("2026-01-15T02:59:59Z")).open).toBe(true);
    expect(windowStateAt(berlin, at("2026-01-15T03:00:00Z"))).toEqual({
      open: false,
      window: "nightly",
      opensAt: "2026-01-16T01:00:00.000Z",
    });
  });

  it("reads the same cron differently per zone, including half-hour offsets", () => {
    const now = at("2026-01-15T21:00:00Z");
    expect(windowStateAt(nightly("America/New_York"), now)).toMatchObject({
      opensAt: "2026-01-16T07:00:00.000Z", // 02:00 EST = UTC-5
    });
    expect(windowStateAt(nightly("Asia/Kolkata"), now)).toEqual({
      open: true, // 02:00 IST = 20:30Z (UTC+5:30): already open at 21:00Z
      window: "nightly",
      closesAt: "2026-01-15T22:30:00.000Z",
    });
  });

  it("is open across midnight in Kolkata (+05:30, no DST)", () => {
    const w = nightly("Asia/Kolkata", "0 23 * * *", 180); // 23:00-02:00 IST = 17:30-20:30 UTC
    expect(windowStateAt(w, at("2026-07-01T19:00:00Z"))).toEqual({
      open: true,
      window: "nightly",
      closesAt: "2026-07-01T20:30:00.000Z",
    });
  });

  it("follows daylight-saving time: the UTC instant moves, the local hour stays", () => {
    const berlin = nightly("Europe/Berlin", "0 3 * * *", 60);
    // winter (CET, UTC+1) 03:00 = 02:00Z; summer (CEST, UTC+2) 03:00 = 01:00Z
    expect(windowStateAt(berlin, at("2026-03-28T12:00:00Z"))).toMatchObject({
      opensAt: "2026-03-29T01:00:00.000Z", // the night of the change: already summer time
    });
    expect(windowStateAt(berlin, at("2026-03-27T12:00:00Z"))).toMatchObject({
      opensAt: "2026-03-28T02:00:00.000Z",
    });
    expect(windowStateAt(berlin, at("2026-10-25T12:00:00Z"))).toMatchObject({
      opensAt: "2026-10-26T02:00:00.000Z", // back to winter time
    });
  });

  it("a start in the spring-forward gap opens at the first valid instant after it", () => {
    // 02:30 does not exist in Berlin on 29 March 2026 (02:00 CET jumps to 03:00 CEST = 01:00Z)
    const gap = nightly("Europe/Berlin", "30 2 * * *", 60);
    expect(windowStateAt(gap, at("2026-03-28T12:00:00Z"))).toMatchObject({
      opensAt: "2026-03-29T01:00:00.000Z",
    });
    expect(windowStateAt(gap, at("2026-03-29T01:30:00Z"))).toEqual({
      open: true,
      window: "nightly",
      closesAt: "2026-03-29T02:00:00.000Z",
    });
  });

  it("a start in the fall-back overlap opens once, at its first occurrence", () => {
    // 02:30 happens twice in Berlin on 25 October 2026: 00:30Z (CEST) and 01:30Z (CET)
    const overlap = nightly("Europe/Berlin", "30 2 * * *", 30);
    expect(windowStateAt(overlap, at("2026-10-25T00:45:00Z"))).toEqual({
      open: true,
      window: "nightly",
      closesAt: "2026-10-25T01:00:00.000Z",
    });
    expect(windowStateAt(overlap, at("2026-10-25T01:45:00Z"))).toEqual({
      open: false,
      window: "nightly",
      opensAt: "2026-10-26T01:30:00.000Z",
    });
  });

  it("follows the southern hemisphere's DST (Sydney changes in April and October)", () => {
    const sydney = nightly("Australia/Sydney", "0 1 * * *", 60);
    // 5 April 2026: AEDT (UTC+11) ends; 01:00 AEDT on the 4th = 14:00Z on the 3rd
    expect(windowStateAt(sydney, at("2026-04-03T12:00:00Z"))).toMatchObject({
      opensAt: "2026-04-03T14:00:00.000Z",
    });
    // after the change, 01:00 AEST (UTC+10) = 15:00Z the day before
    expect(windowStateAt(sydney, at("2026-04-06T12:00:00Z"))).toMatchObject({
      opensAt: "2026-04-06T15:00:00.000Z",
    });
  });

  it("merges overlapping and back-to-back starts into one opening", () => {
    const everyHalfHour = nightly("UTC", "*/30 9-10 * * *", 45);
    expect(windowStateAt(everyHalfHour, at("2026-05-01T09:10:00Z"))).toEqual({
      open: true,
      window: "nightly",
      closesAt: "2026-05-01T11:15:00.000Z", // 10:30 + 45 min
    });
  });

  it("takes day-of-week fields: weekends only", () => {
    const weekend = nightly("Europe/London", "0 0 * * 6", 48 * 60);
    expect(windowStateAt(weekend, at("2026-06-03T12:00:00Z"))).toMatchObject({
      open: false,
      opensAt: "2026-06-05T23:00:00.000Z", // Saturday 00:00 BST
    });
    expect(windowStateAt(weekend, at("2026-06-07T12:00:00Z"))).toMatchObject({
      open: true,
      closesAt: "2026-06-07T23:00:00.000Z",
    });
  });
});

describe("a target's windows together", () => {
  const morning = { ...nightly("UTC", "0 6 * * *", 60), name: "morning" };
  const evening = { ...nightly("UTC", "0 18 * * *", 60), name: "evening" };

  it("no window means no restriction", () => {
    expect(windowsStateAt(undefined, at("2026-01-01T00:00:00Z"))).toBeNull();
    expect(windowsStateAt([], at("2026-01-01T00:00:00Z"))).toBeNull();
  });

  it("is open when any window is, else names the one opening first", () => {
    expect(windowsStateAt([morning, evening], at("2026-01-01T18:30:00Z"))).toEqual({
      open: true,
      window: "evening",
      closesAt: "2026-01-01T19:00:00.000Z",
    });
    expect(windowsStateAt([morning, evening], at("2026-01-01T12:00:00Z"))).toEqual({
      open: false,
      window: "evening",
      opensAt: "2026-01-01T18:00:00.000Z",
    });
  });
});

describe("validating a window", () => {
  it("accepts a good one and names what is wrong with a bad one", () => {
    expect(maintenanceWindowProblem(nightly("Europe/Berlin"))).toBeUndefined();
    expect(maintenanceWindowProblem(nightly("Mars/Olympus"))).toMatch(/not an IANA time zone/);
    expect(maintenanceWindowProblem(nightly("UTC", "0 2 * *"))).toMatch(/five fields/);
    expect(maintenanceWindowProblem(nightly("UTC", "0 25 * * *"))).toMatch(/cron "0 25 \* \* \*"/);
    expect(maintenanceWindowProblem({ ...nightly("UTC"), durationMinutes: 0 })).toMatch(
      /durationMinutes/,
    );
    expect(maintenanceWindowProblem({ ...nightly("UTC"), extra: 1 })).toMatch(/extra|Unrecognized/);
  });
});

describe("the download-only report's message", () => {
  it("reads back the window and its opening", () => {
    const state = { window: "nightly", opensAt: "2026-01-15T01:00:00.000Z" };
    expect(windowWaitOf(windowWaitMessage(state))).toEqual(state);
    expect(windowWaitOf(windowWaitMessage({ window: "w", opensAt: null }))).toEqual({
      window: "w",
      opensAt: null,
    });
    expect(windowWaitOf("objects verified; applying")).toBeNull();
    expect(maintenanceWindowProblem({ ...nightly("UTC"), name: "two words" })).toMatch(/name/);
  });
});
