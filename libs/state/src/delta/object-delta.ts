import { spawn } from "node:child_process";

/**
 * The two delta encoders a server may use. `xdelta3` (VCDIFF, RFC 3284) is the default: on the
 * bench images it makes the smallest deltas for a one-file change and applies fastest (see
 * bench/transfer). `zstd --patch-from` is kept as the alternative the device can also apply.
 */
export const DELTA_ALGOS = ["xdelta3", "zstd"] as const;
export type DeltaAlgo = (typeof DELTA_ALGOS)[number];

/**
 * What describes a stored delta: `id` is the sha256 of the delta bytes (the delta is stored
 * content-addressed under it), `from` and `to` the objects it joins, `size` its length.
 */
export interface DeltaManifest {
  id: string;
  from: string;
  to: string;
  algo: DeltaAlgo;
  size: number;
}

/** A delta tool that failed or is missing, with its stderr tail. */
export class DeltaToolError extends Error {
  override readonly name = "DeltaToolError";
}

/**
 * xdelta3 by default decompresses gzip/bzip2/xz inputs it recognises and recompresses what it
 * rebuilds, which gives other bytes than the object (a BSP's gzip initramfs came back with
 * another sha256 and every such delta was refused): `-D` and `-R` keep it to the bytes. A delta
 * made this way and applied by an agent without these flags fails its hash check and the agent
 * fetches the full object, as it did for these deltas before.
 */
const XDELTA3_BYTES_ONLY = ["-D", "-R"];

/** xdelta3's source window must cover the whole old object, or far matches are missed. */
const windowFor = (bytes: number) =>
  String(Math.max(1 << 24, 2 ** Math.ceil(Math.log2(bytes + 1))));

/**
 * Writes the delta that turns `fromPath` into `toPath` to `outPath` (overwritten). Deterministic:
 * the same two objects give the same delta bytes wherever their files are (xdelta3's `-A` drops
 * the header that would name the files), so a delta's id depends on the objects alone.
 */
export async function makeDelta(
  algo: DeltaAlgo,
  fromPath: string,
  toPath: string,
  outPath: string,
  fromBytes: number,
): Promise<void> {
  if (algo === "xdelta3") {
    await run("xdelta3", [
      "-e",
      "-9",
      "-A",
      ...XDELTA3_BYTES_ONLY,
      "-f",
      "-B",
      windowFor(fromBytes),
      "-s",
      fromPath,
      toPath,
      outPath,
    ]);
  } else {
    await run("zstd", [
      "-q",
      "-f",
      "-19",
      "--long=30",
      `--patch-from=${fromPath}`,
      toPath,
      "-o",
      outPath,
    ]);
  }
}

/**
 * Rebuilds the new object from the old one and a delta, into `outPath`. The result is not
 * checked here: the caller hashes it against the object id before using it.
 */
export async function applyDelta(
  algo: DeltaAlgo,
  fromPath: string,
  deltaPath: string,
  outPath: string,
  fromBytes: number,
): Promise<void> {
  if (algo === "xdelta3") {
    await run("xdelta3", [
      "-d",
      ...XDELTA3_BYTES_ONLY,
      "-f",
      "-B",
      windowFor(fromBytes),
      "-s",
      fromPath,
      deltaPath,
      outPath,
    ]);
  } else {
    await run("zstd", [
      "-q",
      "-d",
      "-f",
      "--long=30",
      `--patch-from=${fromPath}`,
      deltaPath,
      "-o",
      outPath,
    ]);
  }
}

function run(tool: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: ["ignore", "ignore", "pipe"] });
    const err: Buffer[] = [];
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", (cause) =>
      reject(new DeltaToolError(`cannot run ${tool}: ${cause.message}`)),
    );
    child.on("close", (code, signal) => {
      if (code === 0) return resolve();
      const tail = Buffer.concat(err).toString("utf8").trim().split("\n").at(-1) ?? "";
      reject(
        new DeltaToolError(
          `${tool} ${signal ? `killed by ${signal}` : `exited with ${code}`}: ${tail}`,
        ),
      );
    });
  });
}

/** True for a manifest as a server writes it (anything else is ignored, never trusted). */
export function isDeltaManifest(value: unknown): value is DeltaManifest {
  if (typeof value !== "object" || value === null) return false;
  const m = value as Record<string, unknown>;
  const sha = (v: unknown) => typeof v === "string" && /^[0-9a-f]{64}$/.test(v);
  return (
    sha(m.id) &&
    sha(m.from) &&
    sha(m.to) &&
    (DELTA_ALGOS as readonly unknown[]).includes(m.algo) &&
    Number.isSafeInteger(m.size) &&
    (m.size as number) > 0
  );
}

/** The name of the offer list for an object: `deltas.<to>` (in sc_objects and in bundles). */
export const deltaOffersName = (to: string) => `deltas.${to}`;

/** Object pairs where `next` replaces, at the same state path, an object `held` names. */
export function replacedObjects(
  held: Record<string, unknown>,
  next: Record<string, unknown>,
): { path: string; from: string; to: string }[] {
  const sha = /^[0-9a-f]{64}$/;
  const pairs: { path: string; from: string; to: string }[] = [];
  for (const [path, to] of Object.entries(next)) {
    const from = held[path];
    if (typeof to !== "string" || typeof from !== "string") continue;
    if (sha.test(to) && sha.test(from) && from !== to) pairs.push({ path, from, to });
  }
  return pairs;
}
