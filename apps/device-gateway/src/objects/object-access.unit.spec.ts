import { initialDevice } from "@statecast/device-domain";
import type { GatewayView } from "../view/gateway-view.js";
import { ObjectAccess } from "./object-access.js";

type Targeted = { revision: { fleet: string; number: number }; digest: string }[];

const rev = (number: number, digest: string) => ({
  revision: { fleet: "fleet", number },
  digest: digest.repeat(64),
});

/**
 * A view answering every device enrolled and approved, targeted with what `targeted` says at the
 * time it is read; every object in a revision unless `inRevision` says otherwise. Counts what it
 * was asked.
 */
function aView(
  targeted: () => Targeted = () => [rev(1, "d")],
  inRevision: (sha: string, fleet: string, streams?: string[]) => boolean = () => true,
) {
  const asked: string[] = [];
  const device = (deviceId: string) => {
    asked.push(deviceId);
    return {
      ...initialDevice(deviceId),
      fleet: "fleet",
      approval: "approved",
      enrolledAt: "2026-01-01T00:00:00.000Z",
      targeted: targeted(),
    };
  };
  const view = {
    device: async (deviceId: string) => device(deviceId),
    devices: async (deviceIds: readonly string[]) =>
      new Map(deviceIds.map((id) => [id, device(id)])),
    inRevision: async (sha: string, fleet: string, streams?: string[]) =>
      inRevision(sha, fleet, streams),
  } as unknown as GatewayView;
  return { view, asked };
}

describe("ObjectAccess", () => {
  it("remembers allowed pairs up to its limit, forgetting the oldest first, not all at once", async () => {
    const { view, asked } = aView();
    const access = new ObjectAccess(
      view,
      { publicObjectFleets: [], cacheLimit: 2, deviceMs: 0 },
      () => 0,
    );
    const sha = "a".repeat(64);
    for (const device of ["d1", "d2", "d3"])
      expect(await access.refusal(device, sha)).toBeUndefined();
    asked.length = 0;
    for (const device of ["d2", "d3", "d1"]) await access.refusal(device, sha);
    expect(asked).toEqual(["d1"]); // d2 and d3 still remembered; d1 was the oldest
  });

  it("checks a pair again once its time is up", async () => {
    const { view, asked } = aView();
    let now = 0;
    const access = new ObjectAccess(
      view,
      { publicObjectFleets: [], cacheMs: 100, deviceMs: 0 },
      () => now,
    );
    await access.refusal("d1", "a".repeat(64));
    now = 99;
    await access.refusal("d1", "a".repeat(64));
    now = 100;
    await access.refusal("d1", "a".repeat(64));
    expect(asked).toEqual(["d1", "d1"]);
  });

  it("reads a device once for the burst of objects it asks for at once", async () => {
    const { view, asked } = aView();
    const access = new ObjectAccess(view, { publicObjectFleets: [] }, () => 0);
    const shas = ["a", "b", "c", "d", "e"].map((c) => c.repeat(64));
    const answers = await Promise.all(shas.map((sha) => access.refusal("d1", sha)));
    expect(answers).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(asked).toEqual(["d1"]);
  });

  it("refuses only on the view as it is now, not on a remembered device", async () => {
    let targeted = [rev(1, "d")];
    const { view, asked } = aView(
      () => targeted,
      (_sha, _fleet, streams) => streams?.includes("revision:fleet:2") ?? false,
    );
    const access = new ObjectAccess(view, { publicObjectFleets: [] }, () => 0);
    expect(await access.refusal("d1", "d".repeat(64))).toBeUndefined();
    targeted = [rev(1, "d"), rev(2, "e")]; // a new target, recorded in the view since
    expect(await access.refusal("d1", "e".repeat(64))).toBeUndefined();
    expect(await access.refusal("d1", "f".repeat(64))).toBeUndefined(); // an object of revision 2
    expect(asked).toEqual(["d1", "d1"]);
    targeted = [];
    expect(await access.refusal("d2", "9".repeat(64))).toMatch(/not part of a revision/);
    expect(asked).toEqual(["d1", "d1", "d2", "d2"]); // the refusal was read again, not remembered
  });
});
