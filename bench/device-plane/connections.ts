import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  deviceConnectionOptions,
  deviceInboxPrefix,
  issueDeviceUser,
  type OperatorSetup,
} from "@statecast/nats-auth";

export interface DeviceConnection {
  deviceId: string;
  nc: NatsConnection;
  /** Where the device may receive: its JetStream publish acks come back under it. */
  inboxPrefix: string;
}

/** Each device's own NATS user (signed by the DEVICES account key), as enrollment issues it. */
export async function issueDeviceCreds(setup: OperatorSetup, devices: string[]) {
  const creds = new Map<string, string>();
  for (const deviceId of devices) {
    const issued = await issueDeviceUser(setup, deviceId);
    creds.set(deviceId, issued.creds!);
  }
  return creds;
}

/**
 * Connects every device over its own connection, `parallel` handshakes at a time: with `creds`
 * each one authenticates as its device user (JWT + nonce signature, checked by the server against
 * the generated operator config); without, anonymously with a private inbox prefix.
 */
export async function connectDevices(
  url: string,
  devices: string[],
  creds: Map<string, string> | undefined,
  parallel = 64,
): Promise<DeviceConnection[]> {
  const open: DeviceConnection[] = [];
  const one = async (deviceId: string): Promise<DeviceConnection> => {
    const inboxPrefix = creds ? deviceInboxPrefix(deviceId) : `_INBOX.${deviceId}`;
    const auth = creds ? deviceConnectionOptions(creds.get(deviceId)!, deviceId) : { inboxPrefix };
    const nc = await connect({ servers: url, reconnect: false, name: deviceId, ...auth });
    return { deviceId, nc, inboxPrefix };
  };
  try {
    for (let i = 0; i < devices.length; i += parallel)
      open.push(...(await Promise.all(devices.slice(i, i + parallel).map(one))));
  } catch (error) {
    await Promise.all(open.map((d) => d.nc.close()));
    throw error;
  }
  return open;
}

/** How many of them are still open and answer a round trip. */
export async function stillConnected(connections: DeviceConnection[]): Promise<number> {
  const alive = await Promise.all(
    connections.map(({ nc }) =>
      nc.isClosed()
        ? false
        : nc.flush().then(
            () => true,
            () => false,
          ),
    ),
  );
  return alive.filter(Boolean).length;
}
