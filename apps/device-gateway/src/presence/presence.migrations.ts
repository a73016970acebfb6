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
  {
    // Every heartbeat moves `last_seen`, and the index on it made each beat a new row version
    // with an entry in both indexes (at 10,000 devices a beat every 30 s is 333 a second; issue
    // 16). Without it, and with room left on each page, a beat's update stays on its page and
    // touches no index (a HOT update). The sweep (every 10 s) reads the table instead: a few
    // hundred small pages for 10,000 devices.
    id: "gateway-0004-presence-beats-in-place",
    timestamp: 1796500000044,
    sql: `DROP INDEX device_presence_online_by_last_seen;
ALTER TABLE device_presence SET (fillfactor = 70);`,
  },
];
