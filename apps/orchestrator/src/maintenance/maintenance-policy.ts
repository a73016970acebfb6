import type { MaintenanceWindow } from "@statecast/contract";

export type MaintenancePolicy = {
  windows: MaintenanceWindow[];
  /** Window name → the device tags it is limited to (absent: the whole fleet). */
  scopes: Record<string, string[]>;
  consent?: boolean;
  lockLimitSeconds?: number;
};

export const NO_MAINTENANCE_POLICY: MaintenancePolicy = { windows: [], scopes: {} };

/** The windows that apply to a device with `tags`: fleet-wide ones and those whose tags it has. */
export function windowsForDevice(
  policy: MaintenancePolicy,
  tags: Readonly<Record<string, string>>,
): MaintenanceWindow[] {
  return policy.windows.filter((window) =>
    (policy.scopes[window.name] ?? []).every((tag) => hasTag(tags, tag)),
  );
}

function hasTag(tags: Readonly<Record<string, string>>, tag: string): boolean {
  const at = tag.indexOf("=");
  if (at === -1) return Object.hasOwn(tags, tag);
  return tags[tag.slice(0, at)] === tag.slice(at + 1);
}
