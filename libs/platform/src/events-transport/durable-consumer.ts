import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  DeliverPolicy,
  type JetStreamManager,
} from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";
import { partitionOf } from "@statecast/events";

/** One durable consumer: its name and the subjects it reads. */
export interface DurableConsumerSpec {
  name: string;
  filterSubject: string;
  /**
   * The handlers it feeds (what `OnStreamEvent` names); default `name`. The partitions of one
   * consumer share their handlers.
   */
  handlers?: string;
  /**
   * Messages in flight (`max_ack_pending`), handled one after another in stream order; default 1.
   * Above 1 the consumer runs on one replica at a time, under a lease (see ConsumerLeases).
   */
  inFlight?: number;
  /**
   * Messages handled at once (leased consumers), each key's in stream order: default 1, all in
   * stream order.
   */
  concurrency?: number;
  /**
   * This consumer's share of the subjects' keys (the 4th subject token, the stream key on
   * SC_EVENTS): only messages whose key hashes to `index` of `count` reach the handlers.
   */
  partition?: { index: number; count: number };
  /** Whether this replica takes the lease at once (else only once it has stayed free a while). */
  preferred?: boolean;
}

/** A message's key: its subject's 4th token (on SC_EVENTS, the stream key: a device id). */
export function keyOf(subject: string): string {
  return subject.split(".")[3] ?? "";
}

/** Whether a message on `subject` is this consumer's (every message of an unpartitioned one). */
export function accepts(spec: DurableConsumerSpec, subject: string): boolean {
  if (!spec.partition) return true;
  return partitionOf(keyOf(subject), spec.partition.count) === spec.partition.index;
}

export function configFor(spec: DurableConsumerSpec, ackWaitMs: number): Partial<ConsumerConfig> {
  return {
    durable_name: spec.name,
    filter_subject: spec.filterSubject,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    max_ack_pending: spec.inFlight ?? 1,
    ack_wait: nanos(ackWaitMs),
    max_deliver: -1,
  };
}

/**
 * Creates the consumer or brings its filter and in-flight limit to the spec. With `reset` (a
 * replica that just took the lease), a consumer with messages still unacknowledged (a previous
 * holder died, or stopped, with messages in hand) is made again from its acknowledgement floor:
 * everything after it comes again in stream order, where otherwise the unacknowledged would come
 * back only after `ack_wait`, behind newer messages of the same key. Handlers are idempotent, so
 * what comes again changes nothing. A new consumer of a group starts from the lowest floor of
 * the group's consumers of another partition count (those it replaces), else from the start.
 */
export async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  spec: DurableConsumerSpec,
  options: { ackWaitMs: number; reset: boolean },
): Promise<void> {
  const config = configFor(spec, options.ackWaitMs);
  const existing = await jsm.consumers.info(stream, spec.name).catch(() => null);
  if (!existing) {
    const floor = spec.handlers ? await groupFloor(jsm, stream, spec) : undefined;
    await jsm.consumers.add(stream, startingAfter(config, floor));
    if (spec.handlers) await retireEarlierPartitions(jsm, stream, spec);
    return;
  }
  if (options.reset && existing.num_ack_pending > 0) {
    await jsm.consumers.delete(stream, spec.name);
    await jsm.consumers.add(stream, startingAfter(config, existing.ack_floor.stream_seq));
    return;
  }
  const { filter_subject, max_ack_pending } = existing.config;
  if (filter_subject !== config.filter_subject || max_ack_pending !== config.max_ack_pending) {
    await jsm.consumers.update(stream, spec.name, {
      filter_subject: config.filter_subject,
      max_ack_pending: config.max_ack_pending,
    });
  }
}

function startingAfter(
  config: Partial<ConsumerConfig>,
  floor: number | undefined,
): Partial<ConsumerConfig> {
  if (!floor) return config;
  return { ...config, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: floor + 1 };
}

async function groupFloor(
  jsm: JetStreamManager,
  stream: string,
  spec: DurableConsumerSpec,
): Promise<number | undefined> {
  const siblings = partitionNames(spec.handlers ?? spec.name, spec.partition?.count ?? 1);
  // Another partition of the same count has passed (and acked unread) this one's events.
  const floors = (await groupConsumers(jsm, stream, spec))
    .filter(({ name }) => !siblings.has(name))
    .map(({ floor }) => floor);
  return floors.length > 0 ? Math.min(...floors) : undefined;
}

/**
 * Once every partition of the spec's count exists, deletes the group's consumers of an earlier
 * count (not before: a partition made later starts from their floor).
 */
async function retireEarlierPartitions(
  jsm: JetStreamManager,
  stream: string,
  spec: DurableConsumerSpec,
): Promise<void> {
  const wanted = partitionNames(spec.handlers ?? spec.name, spec.partition?.count ?? 1);
  const earlier: string[] = [];
  for (const { name } of await groupConsumers(jsm, stream, spec)) {
    if (wanted.has(name)) wanted.delete(name);
    else earlier.push(name);
  }
  if (wanted.size > 0) return;
  for (const name of earlier) await jsm.consumers.delete(stream, name).catch(() => undefined);
}

/** The consumers of the spec's group on the stream, with their acknowledgement floors. */
async function groupConsumers(
  jsm: JetStreamManager,
  stream: string,
  spec: DurableConsumerSpec,
): Promise<{ name: string; floor: number }[]> {
  const group = spec.handlers ?? spec.name;
  const found: { name: string; floor: number }[] = [];
  for await (const info of jsm.consumers.list(stream) as AsyncIterable<ConsumerInfo>) {
    const name = info.config.durable_name ?? info.name;
    if (inGroup(name, group)) found.push({ name, floor: info.ack_floor.stream_seq });
  }
  return found;
}

function partitionNames(group: string, count: number): Set<string> {
  return new Set(Array.from({ length: count }, (_, k) => partitionName(group, k, count)));
}

/** The consumers of one group: `group` itself and its partitions `group-<k>of<n>`. */
export function inGroup(name: string, group: string): boolean {
  return name === group || new RegExp(`^${escapeRegExp(group)}-\\d+of\\d+$`).test(name);
}

/** The durable name of partition `index` of `count` (the group's own name when `count` is 1). */
export function partitionName(group: string, index: number, count: number): string {
  return count === 1 ? group : `${group}-${index}of${count}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
