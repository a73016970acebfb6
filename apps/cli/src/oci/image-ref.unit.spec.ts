import { parseImageRef } from "./image-ref.js";

describe("parseImageRef", () => {
  it("reads a loopback registry reference and allows plain HTTP for it only", () => {
    expect(parseImageRef("docker://127.0.0.1:5000/demo/busy:v1")).toMatchObject({
      transport: "docker",
      registry: "127.0.0.1:5000",
      hostname: "127.0.0.1",
      port: 5000,
      repository: "demo/busy",
      tag: "v1",
      insecure: true,
      skopeo: "docker://127.0.0.1:5000/demo/busy:v1",
    });
    expect(parseImageRef("docker://registry.example.com/a/b")).toMatchObject({
      port: 443,
      tag: "latest",
      insecure: false,
      skopeo: "docker://registry.example.com/a/b:latest",
    });
  });

  it("resolves Docker Hub short names and keeps digests", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    expect(parseImageRef(`docker://busybox@${digest}`)).toMatchObject({
      registry: "docker.io",
      repository: "library/busybox",
      digest,
      tag: null,
      skopeo: `docker://docker.io/library/busybox@${digest}`,
    });
  });

  it("reads oci: and docker-archive: references", () => {
    expect(parseImageRef("oci:/tmp/layout:v2")).toEqual({
      transport: "oci",
      dir: "/tmp/layout",
      tag: "v2",
      skopeo: "oci:/tmp/layout:v2",
    });
    expect(parseImageRef("oci:layout")).toMatchObject({ dir: "layout", tag: null });
    expect(parseImageRef("docker-archive:img.tar")).toMatchObject({ file: "img.tar" });
  });

  it.each([
    ["busybox", /unsupported image reference/],
    ["docker://", /names no image/],
    ["docker://127.0.0.1:5000/Bad Name:v1", /not a valid repository name/],
    ["docker://127.0.0.1:99999/a:v1", /out of range/],
    ["docker://127.0.0.1/a@sha256:zz", /not a sha256 digest/],
    ["docker://127.0.0.1/a:bad/tag", /not a valid repository name|not a valid tag/],
    ["oci:", /names no OCI layout/],
    ["docker-archive:", /names no archive file/],
  ])("rejects %s", (text, message) => {
    expect(() => parseImageRef(text)).toThrow(message);
  });
});
