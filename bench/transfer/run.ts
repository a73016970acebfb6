// Transfer benchmark (issue 21): bytes a device must fetch for three kinds of change of a ~50 MB
// busybox-based rootfs, as the full object, as an object delta (xdelta3 and zstd --patch-from),
// and as the plain-compression baseline (zstd -19 of the full object), with the CPU time to make
// and to apply each. Prints one JSON object as its last line.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applyDelta, DELTA_ALGOS, makeDelta } from "@statecast/state";
import { DEFAULT_DELTA_ALGO } from "../../apps/device-gateway/src/deltas/delta-policy.js";
import { buildImages, CHANGES, type Change } from "./images.js";

/** CPU seconds (user + system) of this process's reaped children, from /proc/self/stat. */
function childCpu(): number {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
  // After "pid (comm) ": state is field 3; cutime and cstime are fields 16 and 17 (ticks).
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** Runs `work` (which spawns the tools) and returns the CPU seconds its children used. */
async function cpu(work: () => Promise<unknown>): Promise<number> {
  const before = childCpu();
  await work();
  return Math.round((childCpu() - before) * 100) / 100;
}

function zstd(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("zstd", ["-q", "-f", "--long=30", ...args], { stdio: "inherit" });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`zstd exited ${code}`)),
    );
  });
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
    // The gateway's and the agent's own calls, so the bytes are what a device is sent.
    for (const algo of DELTA_ALGOS) {
      const delta = join(dir, `${change}.${algo}`);
      const rebuilt = join(dir, `${change}.${algo}.out`);
      const makeCpu = await cpu(() => makeDelta(algo, from, to, delta, size(from)));
      const applyCpu = await cpu(() => applyDelta(algo, from, delta, rebuilt, size(from)));
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
    const makeCpu = await cpu(() => zstd(["-19", to, "-o", packed]));
    const applyCpu = await cpu(() => zstd(["-d", packed, "-o", join(dir, `${change}.unzst`)]));
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
