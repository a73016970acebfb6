import type { Migration } from "@statecast/events";

// Written in the same transaction as the rollout events they summarise (see README.md), so they
// never disagree with the streams.
const rolloutTables = `
CREATE TABLE rollouts (
  rollout_id  text PRIMARY KEY,
  status      text NOT NULL,
  revision    jsonb NOT NULL,
  rollback_of text,
  version     integer NOT NULL,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL
);
CREATE INDEX rollouts_by_status ON rollouts (status);

-- Which rollout each device belongs to: routes device facts to the rollout holding the device.
CREATE TABLE rollout_members (
  rollout_id text NOT NULL REFERENCES rollouts (rollout_id),
  device_id  text NOT NULL,
  PRIMARY KEY (rollout_id, device_id)
);
CREATE INDEX rollout_members_by_device ON rollout_members (device_id);

-- Durable timers asked for by the decider (ScheduleTimer); one per rollout, device and kind.
CREATE TABLE rollout_timers (
  rollout_id text NOT NULL,
  device_id  text NOT NULL,
  kind       text NOT NULL,
  due_at     timestamptz NOT NULL,
  PRIMARY KEY (rollout_id, device_id, kind)
);
CREATE INDEX rollout_timers_by_due ON rollout_timers (due_at);
`;

/** The rollout feature's tables; list them after the orchestrator's read models. */
export const rolloutMigrations: readonly Migration[] = [
  { id: "orchestrator-rollout-0001-tables", timestamp: 1796500000031, sql: rolloutTables },
];
