import { type DurableConsumerSpec, partitionName } from "@statecast/platform";
import type { GatewayConfig } from "../config/gateway.config.js";
import { TARGETS_CONSUMER } from "./target-events.controller.js";

/**
 * Device events in flight at once per target partition. The consumer used to take one at a time
 * (an acknowledgement round trip per event, 15 device events per device in a rollout, two of
 * them acted on), and a wave's targets waited behind the previous wave's reports: the gateway's
 * target write was 1.2–1.8 s at the median in `bench:fleet` (issue 22). In order all the same:
 * one replica holds a partition's lease and handles its events one after another.
 */
export const TARGET_EVENTS_IN_FLIGHT = 256;

/**
 * Devices whose events are handled at once (each device's in order). One at a time, a wave's
 * targets were written one after another (a view insert and a KV put each): 300 targets took
 * 3 s at the median in `bench:fleet` under load. 32 (it was 8) since the gateway answers a wave's
 * object requests from memory: at 8, a 10,000-device run ended with wave 4's devices waiting
 * behind 28,894 device events of this consumer; 32 before the object cache only moved the wait
 * to the object reads (issue 16, `bench/fleet/README.md`).
 */
export const TARGET_DEVICES_AT_ONCE = 32;

/**
 * The durable consumers of device events that keep `sc_targets` (and the gateway's view of
 * devices): one per partition of the device ids, each read by one replica at a time. One
 * partition (the default) is the consumer `gateway-targets` of every earlier release.
 */
export function targetConsumers({
  count,
  replica,
  replicas,
}: GatewayConfig["targetPartitions"]): DurableConsumerSpec[] {
  return Array.from({ length: count }, (_, index) => ({
    name: partitionName(TARGETS_CONSUMER, index, count),
    handlers: TARGETS_CONSUMER,
    filterSubject: "sc.evt.device.>",
    inFlight: TARGET_EVENTS_IN_FLIGHT,
    concurrency: TARGET_DEVICES_AT_ONCE,
    ...(count > 1 ? { partition: { index, count } } : {}),
    preferred: index % replicas === replica % replicas,
  }));
}
