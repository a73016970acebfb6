import type { AdminToken } from "./admin-token.js";
import type { Database } from "./embedded-database.js";
import type { Nats } from "./embedded-nats.js";
import type { RunningServiceProcess } from "./services.js";

export interface SummaryParts {
  dataDir: string;
  database: Database;
  nats: Nats;
  orchestrator: RunningServiceProcess;
  gateway: RunningServiceProcess;
  adminToken: AdminToken;
}

/** What the operator needs after start-up. The token itself is never printed, only where it is. */
export function formatSummary(parts: SummaryParts): string {
  const token =
    parts.adminToken.origin === "environment"
      ? "from STATECAST_ADMIN_TOKEN"
      : `in ${parts.adminToken.file}${parts.adminToken.origin === "generated" ? " (generated now)" : ""}`;
  return [
    "",
    "Statecast is running",
    `  orchestrator    ${parts.orchestrator.url}   (health: ${parts.orchestrator.url}/health/ready)`,
    `  device-gateway  ${parts.gateway.url}   (health: ${parts.gateway.url}/health/ready)`,
    `  postgres        ${parts.database.description}`,
    `  nats            ${parts.nats.description}`,
    `  admin token     ${token}`,
    `  data dir        ${parts.dataDir}`,
    "Press Ctrl-C to stop everything; the data stays for the next start.",
    "",
  ].join("\n");
}
