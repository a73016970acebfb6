import type { RevisionView } from "@statecast/contract/http";
import { WorkdirError } from "../workdir/workdir-error.js";
import type { RemoteClient } from "./http-client.js";

/** A revision as the orchestrator lists it. */
export type { RevisionView };

const PAGE = 500;

/** The highest revision number of `fleet`; a clear error when it has none. */
export async function latestRevision(client: RemoteClient, fleet: string): Promise<number> {
  let after = 0;
  let latest = 0;
  for (;;) {
    const page = await client.get<RevisionView[]>(`/v1/fleets/${fleet}/revisions`, {
      after,
      limit: PAGE,
    });
    for (const revision of page) latest = Math.max(latest, revision.number);
    if (page.length < PAGE) break;
    after = latest;
  }
  if (latest === 0)
    throw new WorkdirError("no_revisions", `fleet ${fleet} has no revisions yet; post one first`);
  return latest;
}
