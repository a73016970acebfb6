import { Inject, Injectable, Optional } from "@nestjs/common";
import { Metrics } from "@statecast/platform";
import { ObjectResponder } from "./object-responder.js";

/**
 * Exposes the object responder's read gate on `/metrics` (its queue, its waits, its refusals),
 * and what its memory spared the gate: chunks from the cache, info and offers remembered.
 */
@Injectable()
export class ObjectReadsMetrics {
  constructor(
    @Inject(ObjectResponder) responder: ObjectResponder,
    @Optional() @Inject(Metrics) metrics?: Metrics,
  ) {
    const { gate, chunks } = responder;
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
      "Reads of sc_objects (each shared by the object requests that want it) that found every read taken and waited in the queue.",
      "counter",
      () => [{ value: gate.waits }],
    );
    metrics?.onScrape(
      "statecast_gateway_object_read_wait_seconds_total",
      "Seconds reads of sc_objects spent waiting in the queue, all together.",
      "counter",
      () => [{ value: gate.waitSeconds }],
    );
    metrics?.onScrape(
      "statecast_gateway_object_requests_unavailable_total",
      "Object requests answered 'unavailable' (the device asks again later), by reason: queue_timeout (waited past STATECAST_OBJECT_READ_WAIT_MS), read_failed (a read of sc_objects failed, e.g. timed out).",
      "counter",
      () => [
        { labels: { reason: "queue_timeout" }, value: responder.queueTimeouts },
        { labels: { reason: "read_failed" }, value: responder.readFailures },
      ],
      ["reason"],
    );
    metrics?.onScrape(
      "statecast_gateway_object_chunk_cache_requests_total",
      "Chunk requests by how they were answered: hit (a chunk held in memory), shared (a read already running for it), miss (a read of sc_objects).",
      "counter",
      () => [
        { labels: { result: "hit" }, value: chunks.hits },
        { labels: { result: "shared" }, value: chunks.shared },
        { labels: { result: "miss" }, value: chunks.misses },
      ],
      ["result"],
    );
    metrics?.onScrape(
      "statecast_gateway_object_chunk_cache_bytes",
      "Bytes of object chunks held in memory (at most STATECAST_OBJECT_CACHE_MB).",
      "gauge",
      () => [{ value: chunks.bytes }],
    );
    metrics?.onScrape(
      "statecast_gateway_object_chunk_cache_evictions_total",
      "Chunks dropped from memory, least recently used first, to stay under STATECAST_OBJECT_CACHE_MB.",
      "counter",
      () => [{ value: chunks.evictions }],
    );
    metrics?.onScrape(
      "statecast_gateway_object_lookups_total",
      "Object info and delta offer lookups by how they were answered: remembered (or shared with one running), read (from sc_objects).",
      "counter",
      () => [
        { labels: { kind: "info", result: "remembered" }, value: responder.infos.hits },
        { labels: { kind: "info", result: "read" }, value: responder.infos.loads },
        { labels: { kind: "offers", result: "remembered" }, value: responder.offered.hits },
        { labels: { kind: "offers", result: "read" }, value: responder.offered.loads },
      ],
      ["kind", "result"],
    );
  }
}
