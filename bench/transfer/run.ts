// Transfer benchmark (issue 21): bytes a device must fetch for three kinds of change of a ~50 MB
// busybox-based rootfs, as the full object, as an object delta (xdelta3 and zstd --patch-from),
// and as the plain-compression baseline (zstd -19 of the full object), with the CPU time to make
// and to apply each. Prints one JSON object as its last line.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_DELTA_ALGO } from "../../apps/device-gateway/src/deltas/delta-policy.js";
import { buildImages, CHANGES, type Change } from "./images.js";

const DELTA = {
  xdelta3: {
    make: (from: string, to: string, out: string) => [
      "xdelta3",
      "-e",
      "-9",
      "-f",
      "-B",
      "67108864",
      "-s",
      from,
      to,
      out,
    ],
    apply: (from: string, delta: string, out: string) => [
      "xdelta3",
      "-d",
      "-f",
      "-B",
      "67108864",
      "-s",
      from,
      delta,
      out,
    ],
  },
  zstd: {
    make: (from: string, to: string, out: string) => [
      "zstd",
      "-q",
      "-f",
      "-19",
      "--long=30",
      `--patch-from=${from}`,
      to,
      "-o",
      out,
    ],
    apply: (from: string, delta: string, out: string) => [
      "zstd",
      "-q",
      "-d",
      "-f",
      "--long=30",
      `--patch-from=${from}`,
      delta,
      "-o",
      out,
    ],
  },
} as const;

/** Runs a command under /usr/bin/time; returns its user+system CPU seconds. */
function cpu(argv: readonly string[]): number {
  const r = spawnSync("/usr/bin/time", ["-f", "%U %S", ...argv], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${argv.join(" ")} failed: ${r.stderr}`);
  const [user, sys] = r.stderr.trim().split("\n").at(-1)!.split(" ").map(Number);
  return Math.round((user! + sys!) * 1000) / 1000;
}

const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
const size = (path: string) => statSync(path).size;
const ratio = (a: number, b: number) => Math.round((a / b) * 1e6) / 1e6;

const dir = mkdtempSync(join(tmpdir(), "statecast-bench-transfer-"));
try {
  const images = await buildImages(dir);
  const rows: Record<string, unknown>[] = [];
  const sent: Record<Change, number> = { one_file: 0, library: 0, package_set: 0 };
  let compressOnly = 0;
  for (const change of CHANGES) {
    const from = images.base;
    const to = images[change];
    const full = size(to);
    const row: Record<string, unknown> = { change, full_bytes: full };
    for (const [algo, tool] of Object.entries(DELTA)) {
      const delta = join(dir, `${change}.${algo}`);
      const rebuilt = join(dir, `${change}.${algo}.out`);
      const makeCpu = cpu(tool.make(from, to, delta));
      const applyCpu = cpu(tool.apply(from, delta, rebuilt));
      if (sha(rebuilt) !== sha(to)) throw new Error(`${algo} did not rebuild ${change}`);
      row[algo] = {
        bytes: size(delta),
        ratio: ratio(size(delta), full),
        make_cpu_s: makeCpu,
        apply_cpu_s: applyCpu,
      };
      if (algo === DEFAULT_DELTA_ALGO) sent[change] = size(delta);
    }
    const packed = join(dir, `${change}.zst`);
    const makeCpu = cpu(["zstd", "-q", "-f", "-19", "--long=30", to, "-o", packed]);
    const applyCpu = cpu([
      "zstd",
      "-q",
      "-d",
      "-f",
      "--long=30",
      packed,
      "-o",
      join(dir, `${change}.unzst`),
    ]);
    row.compress_only = {
      bytes: size(packed),
      ratio: ratio(size(packed), full),
      make_cpu_s: makeCpu,
      apply_cpu_s: applyCpu,
    };
    if (change === "one_file") compressOnly = size(packed) / full;
    rows.push(row);
    console.log(JSON.stringify(row));
  }
  const full = size(images.one_file);
  console.log(
    JSON.stringify({
      bench: "transfer",
      algo: DEFAULT_DELTA_ALGO,
      image_bytes: size(images.base),
      rootfs_note:
        "busybox + 24 padding libraries + 12 packages, squashfs xz as `app add` packs it",
      one_file_bytes: sent.one_file,
      library_bytes: sent.library,
      package_set_bytes: sent.package_set,
      one_file_ratio: ratio(sent.one_file, full),
      library_ratio: ratio(sent.library, size(images.library)),
      package_set_ratio: ratio(sent.package_set, size(images.package_set)),
      compress_only_ratio: ratio(compressOnly * full, full),
      target_one_file_ratio: 0.02,
      loadavg: (await import("node:os")).loadavg().map((l) => Math.round(l * 100) / 100),
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
