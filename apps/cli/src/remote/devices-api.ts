import type { RemoteClient } from "./http-client.js";
import type { MetricsView } from "./metrics-view.js";
import { RemoteConfigError } from "./remote-errors.js";
import type { TransferView } from "./transfer-view.js";

/** A device as `GET /v1/devices/:id` shows it. */
export interface DeviceView {
  deviceId: string;
  fleet: string | null;
  tags: Record<string, string>;
  approval: string;
  currentRevision: unknown;
  target: unknown;
  lastStatus: string | null;
  lastReason: string | null;
  online: boolean;
  lastSeenAt: string | null;
  enrolledAt: string | null;
  /** Servers before issue 14 do not send these two. */
  installedVia?: "target" | "bundle" | null;
  drifted?: boolean;
  /** Servers since issue 21: the last apply's bytes and the device's total. */
  transfer?: {
    last: (TransferView & { revision: { fleet: string; number: number } }) | null;
    total: TransferView;
  };
  /** Servers since issue 14, on `GET /v1/devices/:id` only: the latest metrics and their age. */
  metrics?: MetricsView;
  /** Servers since issue 17: the device's key and its fingerprint (null: re-keyed, no hello yet). */
  publicKey?: string | null;
  keyFingerprint?: string | null;
  version: number;
  updatedAt: string;
}

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
