import { link, mkdir, readdir, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type BootBackend, FileBootBackend } from "../boot/boot-backend.js";
import type { BootEnv } from "../boot/boot-env.js";
import { readJsonFile, writeJsonAtomic } from "../fs/atomic.js";
import { withResourceRetry } from "../fs/resource-retry.js";
import type { Logger } from "../log.js";
import type { VolumeSpec } from "../model/revision.js";
import type { ContainerDirs } from "../runtime/runtime.js";

/** A revision the agent has staged: its state and how the orchestrator names it. */
export interface TrailRecord {
  id: string;
  ref: string;
  seq: number;
  state: Record<string, unknown>;
}

/** Facts that survive restarts beyond boot.env. */
export interface AgentRecord {
  /** Highest target `seq` accepted (anti-rollback). */
  lastSeq: number;
  /** Whether the target with `lastSeq` reached a final status (then the same seq is refused too). */
  lastSeqSettled: boolean;
  /** The last commit and its outcome, so a restart right after a commit still reports it. */
  lastCommit?: { revision: string; outcome: "DONE" | "UPDATED" };
  /** Revision committed before pv_rev (kept for GC and rollback history). */
  previous: string;
}

const SHA256 = /^[0-9a-f]{64}$/;
const SAFE_KEY = /^(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._@+#-][A-Za-z0-9._@+#/-]*$/;

/**
 * The local store of DESIGN §7: `objects/<sha>` shared by all revisions, `trails/<rev>/`
 * with the revision's files as hardlinks and its rendered LXC configs, `boot.env`, the
 * report journal, and per-container working directories.
 */
export class LocalStore {
  readonly objectsDir: string;
  readonly partialDir: string;
  readonly trailsDir: string;
  readonly containersDir: string;
  readonly journalDir: string;
  /** Permanent volumes, `<part>/<name>`: kept across updates (and never collected). */
  readonly volumesDir: string;
  readonly bootEnvPath: string;
  readonly recordPath: string;
  /** Where the try-boot variables live: `boot.env` here, or a board's bootloader env. */
  readonly boot: BootBackend;
  /** Where resource errors retried on the record are logged (the agent sets it). */
  log: Logger | undefined;
  private record: AgentRecord | undefined;

  constructor(
    readonly root: string,
    boot?: BootBackend,
  ) {
    this.objectsDir = join(root, "objects");
    this.partialDir = join(root, "objects", ".partial");
    this.trailsDir = join(root, "trails");
    this.containersDir = join(root, "containers");
    this.journalDir = join(root, "journal");
    this.volumesDir = join(root, "volumes");
    this.bootEnvPath = join(root, "boot.env");
    this.recordPath = join(root, "agent.json");
    this.boot = boot ?? new FileBootBackend(this.bootEnvPath);
  }

  async init(): Promise<void> {
    for (const dir of [this.partialDir, this.trailsDir, this.containersDir, this.journalDir]) {
      await mkdir(dir, { recursive: true });
    }
  }

  objectPath(id: string): string {
    if (!SHA256.test(id)) throw new Error(`object id ${JSON.stringify(id)} is not a sha256`);
    return join(this.objectsDir, id);
  }

  async hasObject(id: string): Promise<boolean> {
    return (await stat(this.objectPath(id)).catch(() => undefined)) !== undefined;
  }

  trailDir(revision: string): string {
    if (!SHA256.test(revision))
      throw new Error(`revision id ${JSON.stringify(revision)} is not a sha256`);
    return join(this.trailsDir, revision);
  }

  containerDirs(name: string): ContainerDirs {
    const root = join(this.containersDir, name);
    return { root, rootfs: join(root, "rootfs"), control: join(root, "control") };
  }

  /**
   * Host directory of a part's storage volume: permanent ones per part name (they survive
   * updates); revision and boot ones inside the container's directory, so they live exactly
   * as long as the container of that part content.
   */
  volumeDir(part: string, containerName: string, volume: VolumeSpec): string {
    if (volume.persistence === "permanent") return join(this.volumesDir, part, volume.name);
    return join(this.containerDirs(containerName).root, "volumes", volume.name);
  }

  readBootEnv(): Promise<BootEnv> {
    return this.boot.read();
  }

  writeBootEnv(env: BootEnv): Promise<void> {
    return this.boot.write(env);
  }

  /**
   * The record as last read or written by this store (one agent owns a store: see
   * already-running.ts), read from disk once. Out of descriptors or disk, the first read waits
   * for them (see withResourceRetry).
   */
  async readRecord(): Promise<AgentRecord> {
    if (!this.record) {
      const fallback = { lastSeq: 0, lastSeqSettled: true, previous: "" };
      const read = await withResourceRetry(
        () => readJsonFile<AgentRecord>(this.recordPath, fallback),
        { log: this.log, what: "reading the agent record" },
      );
      this.record ??= read;
    }
    return structuredClone(this.record);
  }

  /** Written durably (temp, fsync, rename, fsync of the directory) before it is remembered. */
  async writeRecord(record: AgentRecord): Promise<void> {
    const copy = structuredClone(record);
    await withResourceRetry(() => writeJsonAtomic(this.recordPath, copy), {
      log: this.log,
      what: "writing the agent record",
    });
    this.record = copy;
  }

  /** Writes the trail: the state record last, so a trail without it is incomplete. */
  async writeTrail(record: TrailRecord): Promise<void> {
    const dir = this.trailDir(record.id);
    await mkdir(dir, { recursive: true });
    const made = new Set<string>();
    for (const [key, value] of Object.entries(record.state)) {
      if (typeof value !== "string" || !SHA256.test(value) || key.endsWith(".json")) continue;
      if (!SAFE_KEY.test(key))
        throw new Error(`state key ${JSON.stringify(key)} is not a safe relative path`);
      const target = join(dir, "files", key);
      // Each directory once per trail, and a link replaced only when one is there (a trail
      // written again): three calls an object were one more than a first install needs.
      const parent = dirname(target);
      if (!made.has(parent)) await mkdir(parent, { recursive: true });
      made.add(parent);
      await link(this.objectPath(value), target).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== "EEXIST") throw error;
        await rm(target, { force: true });
        await link(this.objectPath(value), target);
      });
    }
    await writeJsonAtomic(join(dir, "trail.json"), record);
  }

  async readTrail(revision: string): Promise<TrailRecord | undefined> {
    if (revision === "") return undefined;
    return readJsonFile<TrailRecord | undefined>(
      join(this.trailDir(revision), "trail.json"),
      undefined,
    );
  }

  async listTrails(): Promise<string[]> {
    return (await readdir(this.trailsDir)).filter((name) => SHA256.test(name));
  }

  async listObjects(): Promise<string[]> {
    return (await readdir(this.objectsDir)).filter((name) => SHA256.test(name));
  }
}
