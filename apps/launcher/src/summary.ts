import { join } from "node:path";
import { DEVICE_JS_API_PREFIX } from "@statecast/nats-auth";
import type { AdminToken } from "./admin-token.js";
import type { DeviceEnrollment } from "./device-enrollment.js";
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
  /** Enrollment files for devices (embedded NATS only). */
  enrollment?: DeviceEnrollment | undefined;
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
    ...enrollmentLines(parts),
    "Press Ctrl-C to stop everything; the data stays for the next start.",
    "",
  ].join("\n");
}

/** How a device enrolls itself: the files, and the agent command line using them. */
function enrollmentLines(parts: SummaryParts): string[] {
  const e = parts.enrollment;
  if (!e) return [];
  return [
    `  enrollment      ${e.dir} (enrollment creds and a "${e.fleet}" fleet token, 0600)`,
    `    a device enrolls with: statecast-agent run --device-id ID --nats ${parts.nats.url} \\`,
    ...(parts.nats.auth ? [`      --nats-ca ${parts.nats.auth.tls.caFile} \\`] : []),
    `      --js-api-prefix '${DEVICE_JS_API_PREFIX}' \\`,
    `      --enrollment-creds ${e.credsFile} --fleet ${e.fleet} --enrollment-token-file ${e.tokenFile} \\`,
    `      --orchestrator-key ${join(parts.dataDir, "keys", "target-signing.pub.pem")} --trust SIGNER.pem`,
  ];
}
