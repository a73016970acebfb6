import { Inject, Injectable, Optional } from "@nestjs/common";
import { Metrics } from "@statecast/platform";
import { ObjectResponder } from "./object-responder.js";

/** Exposes the object responder's read gate on `/metrics`: its queue, its waits, its refusals. */
@Injectable()
export class ObjectReadsMetrics {
  constructor(
    @Inject(ObjectResponder) responder: ObjectResponder,
    @Optional() @Inject(Metrics) metrics?: Metrics,
  ) {
    const { gate } = responder;
    metrics?.onScrape(
      "statecast_gateway_object_reads_active",
      "Reads of sc_objects running for devices now (at most STATECAST_OBJECT_READS).",
      "gauge",
      () => [{ value: gate.active }],
    );
    metrics?.onScrape(
      "statecast_gateway_object_reads_queued",
      "Object requests waiting, in order, for a read of sc_objects.",
      "gauge",
      () => [{ value: gate.queued }],
    );
    metrics?.onScrape(
      "statecast_gateway_object_read_waits_total",
      "Object requests that found every read taken and waited in the queue.",
      "counter",
      () => [{ value: gate.waits }],
    );
    metrics?.onScrape(
      "statecast_gateway_object_read_wait_seconds_total",
      "Seconds object requests spent waiting for a read, all together.",
      "counter",
      () => [{ value: gate.waitSeconds }],
    );
    metrics?.onScrape(
      "statecast_gateway_object_requests_unavailable_total",
      "Object requests answered 'unavailable' (the device asks again later), by reason: queue_timeout (waited past STATECAST_OBJECT_READ_WAIT_MS), read_failed (a read of sc_objects failed, e.g. timed out).",
      "counter",
      () => [
        { labels: { reason: "queue_timeout" }, value: gate.timeouts },
        { labels: { reason: "read_failed" }, value: responder.readFailures },
      ],
      ["reason"],
    );
  }
}
