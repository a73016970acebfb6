import type { DeviceView as ContractDeviceView } from "@statecast/contract/http";
import type { RemoteClient } from "./http-client.js";
import { RemoteConfigError } from "./remote-errors.js";

/** Fields older servers do not send: installedVia, drifted, metrics (issue 14), transfer (21), keys (17). */
type Newer = "installedVia" | "drifted" | "metrics" | "transfer" | "publicKey" | "keyFingerprint";

/** A device as `GET /v1/devices/:id` shows it: the contract's view, tolerating older servers. */
export type DeviceView = Omit<ContractDeviceView, Newer> & Partial<Pick<ContractDeviceView, Newer>>;

export const devicePath = (id: string) => `/v1/devices/${encodeURIComponent(id)}`;

/**
 * Applies `key=value` (set) and `key-` (remove) edits to a device's tags, kubectl-style;
 * anything else is a usage error naming the bad edit.
 */
export function editTags(tags: Record<string, string>, edits: string[]): Record<string, string> {
  const next = { ...tags };
  for (const edit of edits) {
    const set = /^([A-Za-z0-9][A-Za-z0-9._/-]{0,62})=(.{0,256})$/.exec(edit);
    const remove = /^([A-Za-z0-9][A-Za-z0-9._/-]{0,62})-$/.exec(edit);
    if (set?.[1] !== undefined && set[2] !== undefined) next[set[1]] = set[2];
    else if (remove?.[1] !== undefined) delete next[remove[1]];
    else
      throw new RemoteConfigError(
        `tag edit ${JSON.stringify(edit)}: use key=value to set or key- to remove`,
        true,
      );
  }
  return next;
}

/** Reads the device, edits its tags and writes them back (PATCH replaces the whole set). */
export async function retagDevice(
  client: RemoteClient,
  id: string,
  edits: string[],
): Promise<DeviceView> {
  const device = await client.get<DeviceView>(devicePath(id));
  return client.json<DeviceView>("PATCH", devicePath(id), {
    json: { tags: editTags(device.tags, edits) },
  });
}
