import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { type LayoutImage, readLayoutImage } from "./image-config.js";
import { type ImageRef, ImageRefError } from "./image-ref.js";
import { assertReachable, RegistryUnreachableError } from "./reachability.js";
import { runTool, ToolError } from "./run-tool.js";

export interface FetchOptions {
  /** how long the TCP reachability probe of a registry may take. */
  connectTimeoutMs?: number;
  /** limit for the registry to answer the first request (the manifest), default 30 s. */
  answerTimeoutMs?: number;
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
  let skopeoRef = ref.skopeo;
  if (ref.transport === "docker") {
    await assertReachable(ref.hostname, ref.port, options.connectTimeoutMs ?? 3000);
    if (ref.insecure) src.push("--src-tls-verify=false");
    sourceDigest = await manifestDigest(ref, options.answerTimeoutMs ?? 30_000);
    // Copy by digest so that a tag moved meanwhile cannot change what is recorded.
    skopeoRef = `docker://${ref.registry}/${ref.repository}@${sourceDigest}`;
  } else {
    await assertSourceExists(ref.transport === "oci" ? ref.dir : ref.file, ref.skopeo);
    if (ref.transport === "oci")
      skopeoRef = `oci:${resolve(ref.dir)}${ref.tag ? `:${ref.tag}` : ""}`;
  }
  await runTool(
    "skopeo",
    [...global, "copy", "--quiet", ...src, skopeoRef, `oci:${layoutDir}:${LOCAL_TAG}`],
    { timeoutMs: copyTimeoutMs + 5000 },
  );
  const image = await readLayoutImage(layoutDir, LOCAL_TAG);
  return { ...image, layoutDir, sourceDigest: sourceDigest ?? image.manifestDigest };
}

/** sha256 of the registry's manifest for the reference, as `docker pull …@sha256:` knows it. */
async function manifestDigest(ref: ImageRef & { transport: "docker" }, timeoutMs: number) {
  const tls = ref.insecure ? ["--tls-verify=false"] : [];
  const limit = `--command-timeout=${Math.ceil(timeoutMs / 1000)}s`;
  try {
    const raw = await runTool("skopeo", [limit, "inspect", "--raw", ...tls, ref.skopeo], {
      timeoutMs: timeoutMs + 2000,
    });
    return `sha256:${createHash("sha256").update(raw).digest("hex")}`;
  } catch (error) {
    if (error instanceof ToolError && /deadline exceeded|killed/.test(error.message + error.stderr))
      throw new RegistryUnreachableError(
        `registry ${ref.registry} accepted a connection but did not answer within ${timeoutMs} ms; check that it is a running registry`,
      );
    throw error;
  }
}

async function assertSourceExists(path: string, display: string): Promise<void> {
  try {
    await stat(path);
  } catch {
    throw new ImageRefError(`${display}: ${path} does not exist; check the path`);
  }
}
