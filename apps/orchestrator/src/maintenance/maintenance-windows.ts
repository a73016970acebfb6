import type { MaintenanceWindow } from "@statecast/contract";
import { isEvent, type PostgresEventStore } from "@statecast/events";
import type pg from "pg";
import { MaintenancePolicySet, maintenanceStreamId } from "./maintenance.catalog.js";
import {
  type MaintenancePolicy,
  NO_MAINTENANCE_POLICY,
  windowsForDevice,
} from "./maintenance-policy.js";

/** A fleet's policy: the last `MaintenancePolicySet` of `maintenance:<fleet>`, none before it. */
export async function maintenancePolicyOf(
  store: PostgresEventStore,
  fleet: string,
  client?: pg.ClientBase,
): Promise<{ policy: MaintenancePolicy; version: number }> {
  const { events, version } = await store.readStream(
    maintenanceStreamId(fleet),
    client ? { client } : {},
  );
  const last = events.at(-1);
  const policy = last && isEvent(last, MaintenancePolicySet) ? last.data : NO_MAINTENANCE_POLICY;
  return { policy, version };
}

export type DeviceUpdateRules = { windows?: MaintenanceWindow[]; consentRequired?: true };

/** What each device's target carries from its fleet's policy: its windows (by tags), consent. */
export async function windowsOfDevices(
  store: PostgresEventStore,
  client: pg.ClientBase,
  deviceIds: readonly string[],
): Promise<Map<string, DeviceUpdateRules>> {
  const { rows } = await client.query<{
    device_id: string;
    fleet: string | null;
    tags: Record<string, string> | null;
  }>("SELECT device_id, fleet, tags FROM device_registry WHERE device_id = ANY($1::text[])", [
    [...deviceIds],
  ]);
  const policies = new Map<string, MaintenancePolicy>();
  const rules = new Map<string, DeviceUpdateRules>();
  for (const row of rows) {
    if (row.fleet === null) continue;
    let policy = policies.get(row.fleet);
    if (!policy) {
      policy = (await maintenancePolicyOf(store, row.fleet, client)).policy;
      policies.set(row.fleet, policy);
    }
    const mine = windowsForDevice(policy, row.tags ?? {});
    rules.set(row.device_id, {
      ...(mine.length > 0 ? { windows: mine } : {}),
      ...(policy.consent ? { consentRequired: true as const } : {}),
    });
  }
  return rules;
}
