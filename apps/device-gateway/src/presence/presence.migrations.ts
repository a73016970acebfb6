import type { Migration } from "@statecast/events";

/**
 * When each device last sent a heartbeat: one row per device, updated in place, so heartbeats
 * never become events. `online` mirrors the last presence event written for the device.
 */
export const presenceMigrations: readonly Migration[] = [
  {
    id: "gateway-0001-device-presence",
    timestamp: 1796500000041,
    sql: `
CREATE TABLE device_presence (
  device_id text PRIMARY KEY,
  last_seen timestamptz NOT NULL,
  online    boolean NOT NULL
);
CREATE INDEX device_presence_online_by_last_seen ON device_presence (last_seen) WHERE online;`,
  },
];
