import { type DeviceState, evolveDevice, initialDevice } from "./device.js";

// The device plane decides on the one device aggregate (device.ts): these names say which side reads it.

/** What the gateway's report, heartbeat and presence deciders read: the device aggregate. */
export type DevicePlaneState = DeviceState;

export const initialDevicePlane = (): DevicePlaneState => initialDevice();

/** The device aggregate's evolve. */
export const evolveDevicePlane = evolveDevice;
