/** Where an image comes from, as `statecast app add --from` accepts it. */
export type ImageRef =
  | {
      transport: "docker";
      /** registry host as written (`127.0.0.1:5000`, `registry.example.com`). */
      registry: string;
      hostname: string;
      port: number;
      repository: string;
      tag: string | null;
      digest: string | null;
      /** true only for loopback registries: skopeo may skip TLS verification. */
      insecure: boolean;
      skopeo: string;
    }
  | { transport: "oci"; dir: string; tag: string | null; skopeo: string }
  | { transport: "docker-archive"; file: string; skopeo: string };

export class ImageRefError extends Error {
  override readonly name = "ImageRefError";
}

const HELP =
  "expected docker://HOST/REPO[:TAG|@sha256:DIGEST], oci:DIR[:TAG] or docker-archive:FILE.tar";
const REPOSITORY =
  /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** Parses and checks an image reference; throws ImageRefError naming what is wrong. */
export function parseImageRef(text: string): ImageRef {
  if (text.startsWith("docker://")) return parseDocker(text.slice("docker://".length), text);
  if (text.startsWith("oci:")) {
    const rest = text.slice("oci:".length);
    const colon = rest.lastIndexOf(":");
    const dir = colon > 0 ? rest.slice(0, colon) : rest;
    const tag = colon > 0 ? rest.slice(colon + 1) : null;
    if (!dir) throw new ImageRefError(`"${text}" names no OCI layout directory; ${HELP}`);
    if (tag !== null && !TAG.test(tag)) throw new ImageRefError(`"${tag}" is not a valid tag`);
    return { transport: "oci", dir, tag, skopeo: text };
  }
  if (text.startsWith("docker-archive:")) {
    const file = text.slice("docker-archive:".length);
    if (!file) throw new ImageRefError(`"${text}" names no archive file; ${HELP}`);
    return { transport: "docker-archive", file, skopeo: text };
  }
  throw new ImageRefError(`unsupported image reference "${text}"; ${HELP}`);
}

function parseDocker(rest: string, text: string): ImageRef {
  if (!rest) throw new ImageRefError(`"${text}" names no image; ${HELP}`);
  // Docker's rule: the first component is a registry host only if it looks like one.
  const slash = rest.indexOf("/");
  const first = slash > 0 ? rest.slice(0, slash) : "";
  const hasHost = first.includes(".") || first.includes(":") || first === "localhost";
  const registry = hasHost ? first : "docker.io";
  let path = hasHost ? rest.slice(slash + 1) : rest;
  let digest: string | null = null;
  let tag: string | null = null;
  const at = path.indexOf("@");
  if (at >= 0) {
    digest = path.slice(at + 1);
    path = path.slice(0, at);
    if (!DIGEST.test(digest)) throw new ImageRefError(`"${digest}" is not a sha256 digest`);
  }
  const colon = path.lastIndexOf(":");
  if (colon >= 0) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
    if (!TAG.test(tag)) throw new ImageRefError(`"${tag}" is not a valid tag`);
  }
  if (!REPOSITORY.test(path)) throw new ImageRefError(`"${path}" is not a valid repository name`);
  if (!hasHost && !path.includes("/")) path = `library/${path}`;
  const { hostname, port } = splitHost(registry, text);
  const reference = digest ? `@${digest}` : `:${tag ?? "latest"}`;
  return {
    transport: "docker",
    registry,
    hostname,
    port,
    repository: path,
    tag: digest ? tag : (tag ?? "latest"),
    digest,
    insecure: LOOPBACK.has(hostname),
    skopeo: `docker://${registry}/${path}${reference}`,
  };
}

function splitHost(registry: string, text: string): { hostname: string; port: number } {
  const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(registry);
  if (!match?.[1]) throw new ImageRefError(`"${registry}" in "${text}" is not a registry host`);
  const port = match[2] ? Number(match[2]) : 443;
  if (port < 1 || port > 65535) throw new ImageRefError(`port ${port} is out of range`);
  return { hostname: match[1], port };
}

/** The reference with its oci:/docker-archive: path made absolute by `resolvePath`. */
export function withAbsolutePath(text: string, resolvePath: (path: string) => string): string {
  const ref = parseImageRef(text);
  if (ref.transport === "oci") return `oci:${resolvePath(ref.dir)}${ref.tag ? `:${ref.tag}` : ""}`;
  if (ref.transport === "docker-archive") return `docker-archive:${resolvePath(ref.file)}`;
  return text;
}
