import { headers } from "@nats-io/transport-node";
import type { DeviceConnection } from "./connections.js";

const STATUSES = ["QUEUED", "DOWNLOADING", "INPROGRESS", "TESTING"] as const;

/** Report `seq` (1-based) of `perDevice`: in-flight statuses, the last one DONE. */
export function report(
  deviceId: string,
  bootId: string,
  seq: number,
  perDevice: number,
  revision = "fleet#2",
) {
  const last = seq === perDevice;
  return {
    deviceId,
    bootId,
    seq,
    revision,
    status: last ? "DONE" : STATUSES[(seq - 1) % STATUSES.length],
    progress: last ? 100 : 25,
    message: `bench report ${seq}`,
    runtime: "sim",
    at: new Date().toISOString(),
  };
}

export const deviceIds = (n: number) => Array.from({ length: n }, (_, i) => `bench-${i}`);

/** No JetStream acknowledgement on a device's connection for this long: the publish failed. */
const STALL_MS = 60_000;

export interface PublishOptions {
  bootId: string;
  revision?: string;
  /** Reports a device keeps unacknowledged (1: as the agent does, one at a time). */
  window: number;
}

/**
 * Every device publishes its `perDevice` reports on its own connection, in seq order, as the
 * agent's status sender does: a JetStream publish on `sc.dev.<id>.status` with
 * `Nats-Msg-Id <deviceId>:<bootId>:<seq>`, the PubAck coming back on the device's own inbox, at
 * most `window` unacknowledged. Resolves when the server acked every report as stored (not as a
 * duplicate); throws on an error ack or a stall.
 *
 * The acks are read by one wildcard subscription per connection rather than `js.publish()`,
 * which costs a promise, a timer and a request entry per message: with thousands of simulated
 * devices in one Node process that, not nats-server, was the floor (and under load its 5 s
 * per-message timeout fired).
 */
export async function publishReports(
  devices: DeviceConnection[],
  perDevice: number,
  options: PublishOptions,
): Promise<number> {
  const decoder = new TextDecoder();
  const lane = async ({ deviceId, nc, inboxPrefix }: DeviceConnection) => {
    const inbox = `${inboxPrefix}.bench`;
    let sent = 0;
    let acked = 0;
    let failure: Error | undefined;
    let wake: (() => void) | undefined;
    const sub = nc.subscribe(`${inbox}.*`, {
      callback: (error, msg) => {
        if (error) failure ??= error;
        else {
          let ack: { seq?: number; duplicate?: boolean; error?: { description?: string } };
          try {
            ack = JSON.parse(decoder.decode(msg.data));
          } catch {
            ack = { error: { description: `not a PubAck (${msg.headers?.code ?? "no code"})` } };
          }
          if (ack.error || typeof ack.seq !== "number")
            failure ??= new Error(
              `${deviceId}: publish refused: ${ack.error?.description ?? "no sequence"}`,
            );
          else if (ack.duplicate) failure ??= new Error(`${deviceId}: publish was a duplicate`);
          acked++;
        }
        wake?.();
      },
    });
    const until = async (done: () => boolean) => {
      while (!done() && !failure) {
        const before = acked;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, STALL_MS);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
        if (acked === before && !done() && !failure)
          failure = new Error(`${deviceId}: no JetStream ack for ${STALL_MS / 1000} s`);
      }
      if (failure) throw failure;
    };
    try {
      for (let seq = 1; seq <= perDevice; seq++) {
        const h = headers();
        h.set("Nats-Msg-Id", `${deviceId}:${options.bootId}:${seq}`);
        const body = report(deviceId, options.bootId, seq, perDevice, options.revision);
        nc.publish(`sc.dev.${deviceId}.status`, JSON.stringify(body), {
          headers: h,
          reply: `${inbox}.${sent++}`,
        });
        if (sent - acked >= options.window) await until(() => sent - acked < options.window);
      }
      await until(() => acked === sent);
    } finally {
      sub.unsubscribe();
    }
  };
  await Promise.all(devices.map(lane));
  return devices.length * perDevice;
}
