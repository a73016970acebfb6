import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { type LayoutImage, readLayoutImage } from "./image-config.js";
import { type ImageRef, ImageRefError } from "./image-ref.js";
import { assertReachable } from "./reachability.js";
import { runTool } from "./run-tool.js";

export interface FetchOptions {
  /** how long the TCP reachability probe of a registry may take. */
  connectTimeoutMs?: number;
  /** skopeo's own limit for the whole copy. */
  copyTimeoutMs?: number;
}

export interface FetchedImage extends LayoutImage {
  /** the OCI layout the image was copied into, tagged LOCAL_TAG. */
  layoutDir: string;
  /** the digest the source knows the image by (registry manifest digest for docker://). */
  sourceDigest: string;
}

export const LOCAL_TAG = "statecast";

/** Copies the image REF into `<workDir>/layout` (an OCI layout) and reads its config. */
export async function fetchImage(
  ref: ImageRef,
  workDir: string,
  options: FetchOptions = {},
): Promise<FetchedImage> {
  const layoutDir = join(workDir, "layout");
  const copyTimeoutMs = options.copyTimeoutMs ?? 300_000;
  const global = [`--command-timeout=${Math.ceil(copyTimeoutMs / 1000)}s`];
  const src: string[] = [];
  let sourceDigest: string | null = null;
  if (ref.transport === "docker") {
    await assertReachable(ref.hostname, ref.port, options.connectTimeoutMs ?? 3000);
    if (ref.insecure) src.push("--src-tls-verify=false");
    const raw = await runTool("skopeo", [...global, "inspect", "--raw", ...tls(ref), ref.skopeo], {
      timeoutMs: copyTimeoutMs + 5000,
    });
    sourceDigest = `sha256:${createHash("sha256").update(raw).digest("hex")}`;
  } else {
    await assertSourceExists(ref.transport === "oci" ? ref.dir : ref.file, ref.skopeo);
  }
  const skopeoRef =
    ref.transport === "oci" ? `oci:${resolve(ref.dir)}${ref.tag ? `:${ref.tag}` : ""}` : ref.skopeo;
  await runTool(
    "skopeo",
    [...global, "copy", "--quiet", ...src, skopeoRef, `oci:${layoutDir}:${LOCAL_TAG}`],
    { timeoutMs: copyTimeoutMs + 5000 },
  );
  const image = await readLayoutImage(layoutDir, LOCAL_TAG);
  return { ...image, layoutDir, sourceDigest: sourceDigest ?? image.manifestDigest };
}

function tls(ref: ImageRef): string[] {
  return ref.transport === "docker" && ref.insecure ? ["--tls-verify=false"] : [];
}

async function assertSourceExists(path: string, display: string): Promise<void> {
  try {
    await stat(path);
  } catch {
    throw new ImageRefError(`${display}: ${path} does not exist; check the path`);
  }
}
