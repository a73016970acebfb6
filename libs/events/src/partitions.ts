/** How a processor's work is split between replicas (issue 16, scale-out). */
export interface PartitionOptions {
  /** Number of partitions; 1 (the default) is one processor with today's name and checkpoint. */
  count: number;
  /**
   * This replica's index (default 0). A replica prefers the partitions `k` with
   * `k % replicas === replicaIndex % replicas`; it takes another one only after that partition has
   * been free, and unclaimed by its preferred replica, for `takeoverAfterMs`.
   */
  replicaIndex?: number;
  /** Replicas expected (default `count`): spreads the preferred partitions over them. */
  replicas?: number;
  /** How long a partition must be free before a replica that does not prefer it takes it (3 s). */
  takeoverAfterMs?: number;
}

/** One partition, as its handler sees it. */
export interface Partition {
  readonly index: number;
  readonly count: number;
  /** Whether `key` (a stream id, a rollout id) belongs to this partition. */
  owns(key: string): boolean;
}

/** The partition of a key: FNV-1a (32 bits) of its UTF-16 code units, modulo `count`. */
export function partitionOf(key: string, count: number): number {
  if (count === 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % count;
}

/** The checkpoint row and lock name of a partition: the processor's own name when unpartitioned. */
export function partitionName(name: string, index: number, count: number): string {
  return count === 1 ? name : `${name}#${index}/${count}`;
}

/** Every partition's checkpoint name: what a reader waiting for the processor must check. */
export function partitionNames(name: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => partitionName(name, index, count));
}

export function aPartition(index: number, count: number): Partition {
  return { index, count, owns: (key) => partitionOf(key, count) === index };
}

/** Whether a replica prefers partition `index` (takes it at once rather than as a standby). */
export function prefers(options: PartitionOptions, index: number): boolean {
  const replicas = options.replicas ?? options.count;
  return index % replicas === (options.replicaIndex ?? 0) % replicas;
}

export function validatePartitions(options: PartitionOptions): void {
  const whole = (v: number | undefined, min: number) =>
    v === undefined || (Number.isInteger(v) && v >= min);
  if (!whole(options.count, 1) || !whole(options.replicas, 1) || !whole(options.replicaIndex, 0))
    throw new RangeError(`invalid partition options ${JSON.stringify(options)}`);
}
