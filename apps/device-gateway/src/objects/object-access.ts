import { type DeviceState, foldDevice, isEnrolled } from "@statecast/device-domain";
import { revisionStreamId } from "@statecast/events";
import type { GatewayView } from "../view/gateway-view.js";
import { DeviceBatches } from "./device-batches.js";
import { Remembered } from "./remembered.js";

/** Who may read which object, and how long an allowed read is remembered. */
export interface ObjectAccessOptions {
  /**
   * Fleets whose objects are public to their own devices: a device of such a fleet may read any
   * object of any revision posted to its fleet, targeted or not. Off (empty) by default.
   */
  publicObjectFleets: readonly string[];
  /** How long an allowed (device, object) pair is remembered before it is checked again. */
  cacheMs?: number;
  /** Allowed pairs remembered at most; past it the oldest is forgotten first. */
  cacheLimit?: number;
  /**
   * How long a device read from the view may allow further objects (default 2 s). A device
   * asks for its state and every object within a second or two; each first ask of a pair read
   * and folded the device's whole view stream. Only allowing: a refusal is always decided on the
   * view as it is now.
   */
  deviceMs?: number;
}

/**
 * A wave of 6,000 devices asks for about 18,000 pairs within seconds: forgetting all of them at
 * once (as a `clear()` did at 10,000) sent every request of the wave back to Postgres together.
 */
const CACHE_LIMIT = 50_000;
/** Devices remembered at most (a wave's devices within `deviceMs`). */
const DEVICES_LIMIT = 20_000;

/**
 * The rule for a device reading an object (HTTP route and `sc.dev.<id>.object` alike): the device
 * is approved and not decommissioned, and the object is the state or one of the objects of a
 * revision of its own fleet that it was targeted with (`TargetAssigned` in its stream: the
 * digest it names, and the `RevisionPosted` state digest and objects) — or its
 * fleet's objects are public. `_config` files often hold secrets, and object ids are guessable
 * once seen anywhere, so nothing else is served. Answers a refusal reason, or undefined. Reads
 * the gateway's own view (SC_EVENTS), never the record: the target writer records a
 * `TargetAssigned` in the view before it hands the target to the device.
 */
export class ObjectAccess {
  private readonly allowed = new Map<string, number>();
  private readonly devices: Remembered<DeviceState>;
  /** The view's device reads, gathered: a wave's first requests are a few queries, not thousands. */
  private readonly batches: DeviceBatches<DeviceState>;

  constructor(
    private readonly view: GatewayView,
    private readonly options: ObjectAccessOptions = { publicObjectFleets: [] },
    private readonly clock: () => number = Date.now,
  ) {
    this.devices = new Remembered(options.deviceMs ?? 2_000, () => true, clock, DEVICES_LIMIT);
    this.batches = new DeviceBatches(
      (ids) => view.devices(ids),
      (id) => foldDevice(id, []),
    );
  }

  async refusal(deviceId: string, sha: string): Promise<string | undefined> {
    const key = `${deviceId}/${sha}`;
    const now = this.clock();
    if ((this.allowed.get(key) ?? 0) > now) return undefined;
    const read = () => this.devices.get(deviceId, () => this.batches.read(deviceId));
    let reason = await this.judge(deviceId, await read(), sha);
    if (reason) {
      // The remembered device may be a moment old (targeted since): refuse only on the view now.
      this.devices.forget(deviceId);
      reason = await this.judge(deviceId, await read(), sha);
    }
    if (reason) return reason;
    this.allowed.delete(key); // set again at the end: the Map's order is the order of expiry
    const limit = this.options.cacheLimit ?? CACHE_LIMIT;
    for (const oldest of this.allowed.keys()) {
      if (this.allowed.size < limit) break;
      this.allowed.delete(oldest);
    }
    this.allowed.set(key, now + (this.options.cacheMs ?? 30_000));
    return undefined;
  }

  /** Why `device` may not read object `sha` (undefined: it may). */
  private async judge(
    deviceId: string,
    device: DeviceState,
    sha: string,
  ): Promise<string | undefined> {
    const { fleet } = device;
    if (!isEnrolled(device) || fleet === null) return `device ${deviceId} is not enrolled`;
    if (device.approval !== "approved") return `device ${deviceId} is ${device.approval}`;
    const own = device.targeted.filter((target) => target.revision.fleet === fleet);
    const streams = this.options.publicObjectFleets.includes(fleet)
      ? undefined
      : own.map(({ revision }) => revisionStreamId(revision.fleet, revision.number));
    const isTargetState = own.some((target) => target.digest === sha);
    if (!isTargetState && !(await this.view.inRevision(sha, fleet, streams)))
      return `object ${sha} is not part of a revision device ${deviceId} was targeted with`;
    return undefined;
  }
}
