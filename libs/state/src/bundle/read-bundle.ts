import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import * as tar from "tar-stream";
import { type DeltaManifest, isDeltaManifest } from "../delta/object-delta.js";
import {
  BundleError,
  HashMismatchError,
  SizeMismatchError,
  StateValidationError,
} from "../errors.js";
import { isObjectId } from "../model/classify.js";
import { parseState } from "../model/parse-state.js";
import type { State, StateModel } from "../model/types.js";
import { unsafePathReason } from "../path-safety.js";
import type { ObjectStat, ObjectStore } from "../store/object-store.js";
import { tarBytes } from "./decompress.js";
import { type BundleLimits, DEFAULT_BUNDLE_LIMITS } from "./limits.js";

/** Options of readBundle: where verified objects go (none: only check them) and limits. */
export interface ReadBundleOptions {
  targetStore?: ObjectStore;
  limits?: Partial<BundleLimits>;
}

/** A bundle's content once every member has been checked. */
export interface BundleContent {
  state: State;
  model: StateModel;
  /** Objects found in the bundle, each hash-verified, in member order. */
  objects: ObjectStat[];
  /** Object ids the state references that the bundle does not carry. */
  missing: string[];
  /** Objects the bundle carries that the state does not reference (deltas among them). */
  extra: string[];
  /**
   * Deltas a `--delta-from` bundle carries instead of full objects (member `deltas.json`): each
   * rebuilds `to` from a `from` the device already holds; the delta itself is `objects/<id>`.
   */
  deltas: BundleDelta[];
}

/** A delta in a bundle, with the size of the object it rebuilds. */
export type BundleDelta = DeltaManifest & { toSize: number };

async function hashOnly(sha: string, entry: Readable, size: number): Promise<void> {
  const hash = createHash("sha256");
  let seen = 0;
  for await (const chunk of entry) {
    seen += (chunk as Buffer).length;
    hash.update(chunk as Buffer);
  }
  if (seen !== size) throw new SizeMismatchError(sha, size, seen);
  const actual = hash.digest("hex");
  if (actual !== sha) throw new HashMismatchError(sha, actual);
}

async function readAll(entry: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of entry) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function memberName(header: tar.Header): string {
  let name = header.name;
  if (name.startsWith("./")) name = name.slice(2);
  if (header.type === "directory" && name.endsWith("/")) name = name.slice(0, -1);
  const reason = unsafePathReason(name);
  if (reason)
    throw new BundleError(
      "member_unsafe_path",
      `member ${JSON.stringify(header.name)} refused: ${reason}`,
    );
  return name;
}

class BundleReader {
  readonly objects: ObjectStat[] = [];
  readonly seen = new Set<string>();
  stateText?: string;
  deltas: BundleDelta[] = [];
  total = 0;

  constructor(
    readonly limits: BundleLimits,
    readonly store?: ObjectStore,
  ) {}

  async member(header: tar.Header, entry: Readable): Promise<void> {
    const name = memberName(header);
    if (this.seen.has(name))
      throw new BundleError("member_duplicate", `member ${name} appears twice`);
    this.seen.add(name);
    if (this.seen.size > this.limits.maxMembers) {
      throw new BundleError(
        "bundle_too_many_members",
        `more than ${this.limits.maxMembers} members`,
      );
    }
    if (header.type === "directory" && name === "objects") return;
    if (header.type !== "file" && header.type !== "contiguous-file") {
      throw new BundleError(
        "member_type_refused",
        `member ${name} refused: ${header.type} entries are not allowed`,
      );
    }
    this.total += header.size;
    if (this.total > this.limits.maxTotalBytes) {
      throw new BundleError(
        "bundle_too_large",
        `members exceed ${this.limits.maxTotalBytes} bytes in total`,
      );
    }
    if (name === "json") return this.stateMember(header, entry);
    if (name === "deltas.json") return this.deltasMember(header, entry);
    const sha = name.startsWith("objects/") ? name.slice("objects/".length) : "";
    if (!isObjectId(sha)) {
      throw new BundleError(
        "member_unexpected",
        `member ${name} refused: expected json or objects/<sha256>`,
      );
    }
    if (header.size > this.limits.maxObjectBytes) {
      throw new BundleError(
        "object_too_large",
        `object ${sha} is ${header.size} bytes, over ${this.limits.maxObjectBytes}`,
      );
    }
    if (this.store) await this.store.put(sha, entry, { size: header.size });
    else await hashOnly(sha, entry, header.size);
    this.objects.push({ sha, size: header.size });
  }

  private async deltasMember(header: tar.Header, entry: Readable): Promise<void> {
    if (header.size > this.limits.maxStateBytes)
      throw new BundleError("state_too_large", `deltas.json is over ${this.limits.maxStateBytes}`);
    let list: unknown;
    try {
      list = JSON.parse((await readAll(entry)).toString("utf8"));
    } catch {
      throw new BundleError("bundle_invalid_state", "deltas.json is not JSON");
    }
    const ok = (d: unknown) =>
      isDeltaManifest(d) && Number.isSafeInteger((d as BundleDelta).toSize);
    if (!Array.isArray(list) || !list.every(ok))
      throw new BundleError("bundle_invalid_state", "deltas.json is not a list of delta manifests");
    this.deltas = list as BundleDelta[];
  }

  private async stateMember(header: tar.Header, entry: Readable): Promise<void> {
    if (header.size > this.limits.maxStateBytes) {
      throw new BundleError(
        "state_too_large",
        `json member is ${header.size} bytes, over ${this.limits.maxStateBytes}`,
      );
    }
    const bytes = await readAll(entry);
    try {
      this.stateText = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new BundleError("bundle_invalid_state", "json member is not valid UTF-8");
    }
  }

  finish(): BundleContent {
    if (this.stateText === undefined)
      throw new BundleError("bundle_no_state", "bundle has no json member");
    const { state, model, errors } = parseState(this.stateText);
    if (!state || !model) {
      const list = errors.map((e) => `${e.key || "(state)"}: ${e.reason}`).join("; ");
      throw new BundleError("bundle_invalid_state", `bundle state is invalid: ${list}`);
    }
    const carried = new Set(this.objects.map((o) => o.sha));
    const referenced = new Set(model.objects);
    return {
      state,
      model,
      objects: this.objects,
      missing: model.objects.filter((sha) => !carried.has(sha)),
      extra: [...carried].filter((sha) => !referenced.has(sha)),
      deltas: this.deltas.filter((d) => carried.has(d.id)),
    };
  }
}

function asValidationError(error: unknown): StateValidationError {
  if (error instanceof StateValidationError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new BundleError("bundle_malformed", `not a readable tar bundle: ${message}`, {
    cause: error,
  });
}

/** Reads a pvr export bundle (tar or tar.gz) as a stream, checking every member and object hash. */
export async function readBundle(
  input: Readable,
  options: ReadBundleOptions = {},
): Promise<BundleContent> {
  const reader = new BundleReader(
    { ...DEFAULT_BUNDLE_LIMITS, ...options.limits },
    options.targetStore,
  );
  const extract = tar.extract();
  const source = Readable.from(tarBytes(input));
  source.on("error", (error) => extract.destroy(error));
  source.pipe(extract);
  try {
    for await (const entry of extract) {
      await reader.member(entry.header, Readable.from(entry));
    }
    return reader.finish();
  } catch (error) {
    throw asValidationError(error);
  } finally {
    source.destroy();
    input.destroy();
  }
}
