// The board's raw status reports as the gateway received them (the SC_DEVICE_STATUS stream keeps
// them): the DONE report's message names the running kernel, which no event carries.
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { credsConnectionOptions } from "@statecast/nats-auth";
import type { Services } from "../services.test-helper.js";

export async function statusReports(
  services: Services,
  deviceId: string,
): Promise<Record<string, unknown>[]> {
  const nc = await connect({
    servers: services.nats.url.split(","),
    ...credsConnectionOptions(services.servicesCreds),
  });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info("SC_DEVICE_STATUS");
    const reports: Record<string, unknown>[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const msg = await jsm.streams.getMessage("SC_DEVICE_STATUS", { seq }).catch(() => null);
      if (msg?.subject === `sc.dev.${deviceId}.status`) reports.push(msg.json());
    }
    return reports;
  } finally {
    await nc.close();
  }
}
