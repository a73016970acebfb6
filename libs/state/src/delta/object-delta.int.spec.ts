import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import {
  applyDelta,
  DELTA_ALGOS,
  DeltaToolError,
  isDeltaManifest,
  makeDelta,
} from "./object-delta.js";

describe("object deltas (real xdelta3 and zstd)", () => {
  const dir = mkdtempSync(join(tmpdir(), "statecast-object-delta-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const old = randomBytes(300_000);
  const next = Buffer.concat([
    old.subarray(0, 5000),
    Buffer.from("a changed file"),
    old.subarray(5000),
  ]);

  it.each(DELTA_ALGOS)(
    "%s: rebuilds the new object from the old one and a small delta",
    async (algo) => {
      writeFileSync(join(dir, `${algo}.old`), old);
      writeFileSync(join(dir, `${algo}.new`), next);
      await makeDelta(
        algo,
        join(dir, `${algo}.old`),
        join(dir, `${algo}.new`),
        join(dir, `${algo}.d`),
        old.length,
      );
      expect(readFileSync(join(dir, `${algo}.d`)).length).toBeLessThan(1000);
      await applyDelta(
        algo,
        join(dir, `${algo}.old`),
        join(dir, `${algo}.d`),
        join(dir, `${algo}.out`),
        old.length,
      );
      expect(readFileSync(join(dir, `${algo}.out`)).equals(next)).toBe(true);
    },
  );

  it.each(DELTA_ALGOS)(
    "%s: the same objects give the same delta bytes under any file names",
    async (algo) => {
      const deltas = [];
      for (const place of ["a", "somewhere-else-entirely"]) {
        mkdirSync(join(dir, place), { recursive: true });
        writeFileSync(join(dir, place, `${place}-from`), old);
        writeFileSync(join(dir, place, `${place}-to.squashfs`), next);
        const out = join(dir, place, `${algo}.delta`);
        await makeDelta(
          algo,
          join(dir, place, `${place}-from`),
          join(dir, place, `${place}-to.squashfs`),
          out,
          old.length,
        );
        deltas.push(readFileSync(out));
      }
      expect(deltas[1]!.equals(deltas[0]!)).toBe(true);
    },
  );

  it.each(DELTA_ALGOS)(
    "%s: gzip objects (a BSP's initramfs) come back byte for byte, not recompressed",
    async (algo) => {
      const from = join(dir, `${algo}-initrd-1.gz`);
      const to = join(dir, `${algo}-initrd-2.gz`);
      writeFileSync(from, gzipSync(old, { level: 6 }));
      writeFileSync(to, gzipSync(next, { level: 6 }));
      const size = readFileSync(from).length;
      await makeDelta(algo, from, to, join(dir, `${algo}-initrd.d`), size);
      await applyDelta(
        algo,
        from,
        join(dir, `${algo}-initrd.d`),
        join(dir, `${algo}-initrd.out`),
        size,
      );
      expect(readFileSync(join(dir, `${algo}-initrd.out`)).equals(readFileSync(to))).toBe(true);
    },
  );

  it("names the tool and its error when a delta does not apply", async () => {
    writeFileSync(join(dir, "junk"), randomBytes(100));
    writeFileSync(join(dir, "src"), old);
    await expect(
      applyDelta("xdelta3", join(dir, "src"), join(dir, "junk"), join(dir, "x"), old.length),
    ).rejects.toThrow(DeltaToolError);
  });

  it("accepts only well-formed manifests", () => {
    const sha = "a".repeat(64);
    expect(isDeltaManifest({ id: sha, from: sha, to: sha, algo: "xdelta3", size: 10 })).toBe(true);
    expect(isDeltaManifest({ id: sha, from: sha, to: sha, algo: "bsdiff", size: 10 })).toBe(false);
    expect(isDeltaManifest({ id: "x", from: sha, to: sha, algo: "zstd", size: 10 })).toBe(false);
  });
});
