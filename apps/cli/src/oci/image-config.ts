import { readFile } from "node:fs/promises";
import { join } from "node:path";

/** The parts of an OCI image config that shape a container. */
export interface ImageConfig {
  entrypoint: string[];
  cmd: string[];
  env: string[];
  workingDir: string;
  user: string;
  volumes: string[];
  platform: string;
  /** the image's `config` object as found, recorded in src.json. */
  raw: Record<string, unknown>;
}

export interface LayoutImage {
  manifestDigest: string;
  config: ImageConfig;
}

export class ImageLayoutError extends Error {
  override readonly name = "ImageLayoutError";
}

const DIGEST = /^sha256:([0-9a-f]{64})$/;

/** Reads the manifest and config of `tag` from an OCI image layout directory. */
export async function readLayoutImage(layoutDir: string, tag: string): Promise<LayoutImage> {
  const index = asObject(await readJson(join(layoutDir, "index.json")), "index.json");
  const manifests = Array.isArray(index.manifests) ? index.manifests : [];
  const entry = manifests
    .map((m, i) => asObject(m, `index.json manifests[${i}]`))
    .find(
      (m) =>
        asObject(m.annotations ?? {}, "annotations")["org.opencontainers.image.ref.name"] === tag,
    );
  if (!entry) throw new ImageLayoutError(`the OCI layout has no image tagged "${tag}"`);
  const manifestDigest = digestOf(entry.digest, "index.json manifest digest");
  const manifest = asObject(await readBlob(layoutDir, manifestDigest), "manifest");
  const configRef = asObject(manifest.config, "manifest config");
  const configDigest = digestOf(configRef.digest, "manifest config digest");
  const blob = asObject(await readBlob(layoutDir, configDigest), "image config");
  const config = asObject(blob.config ?? {}, "image config.config");
  const os = typeof blob.os === "string" ? blob.os : "linux";
  const arch = typeof blob.architecture === "string" ? blob.architecture : "unknown";
  return {
    manifestDigest,
    config: {
      entrypoint: strings(config.Entrypoint, "Entrypoint"),
      cmd: strings(config.Cmd, "Cmd"),
      env: strings(config.Env, "Env"),
      workingDir: typeof config.WorkingDir === "string" ? config.WorkingDir : "",
      user: typeof config.User === "string" ? config.User : "",
      volumes: Object.keys(asObject(config.Volumes ?? {}, "Volumes")).sort(),
      platform: `${os}/${arch}`,
      raw: config,
    },
  };
}

async function readBlob(layoutDir: string, digest: string): Promise<unknown> {
  const hex = DIGEST.exec(digest)?.[1] ?? "";
  return readJson(join(layoutDir, "blobs", "sha256", hex));
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new ImageLayoutError(`cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ImageLayoutError(`${path} is not valid JSON`, { cause });
  }
}

function asObject(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new ImageLayoutError(`${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

function digestOf(value: unknown, what: string): string {
  if (typeof value !== "string" || !DIGEST.test(value))
    throw new ImageLayoutError(`${what} is not a sha256 digest`);
  return value;
}

function strings(value: unknown, what: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string"))
    throw new ImageLayoutError(`image config ${what} is not a list of strings`);
  return value as string[];
}
