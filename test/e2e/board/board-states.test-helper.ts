// Signed board revisions for the e2e tests: busybox containers (as the demo fleet's) plus a real
// BSP part — the kernel, initramfs and command-line marker of a bsp/ directory.
import { createHash } from "node:crypto";
import { createWriteStream, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { FsObjectStore, type State, signPart, stateDigest, writeBundle } from "@statecast/state";
import { type BusyboxPart, BusyboxStates } from "../../../apps/launcher/src/demo/busybox-state.js";

export class BoardStates {
  constructor(readonly busybox: BusyboxStates = new BusyboxStates()) {}
  get objects(): Map<string, Buffer> {
    return this.busybox.objects;
  }

  private put(bytes: Buffer): string {
    const sha = createHash("sha256").update(bytes).digest("hex");
    this.objects.set(sha, bytes);
    return sha;
  }

  /** A signed state: `parts` as busybox containers and bsp/ from the files of `bspDir`. */
  build(bspDir: string, parts: BusyboxPart[], label: string): { state: State; digest: string } {
    const base = this.busybox.build(parts, label).state as Record<string, unknown>;
    const state: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(base))
      if (!k.startsWith("_sigs/") && !k.startsWith("bsp/")) state[k] = v;
    state["bsp/run.json"] = JSON.parse(readFileSync(join(bspDir, "run.json"), "utf8"));
    for (const f of readdirSync(bspDir))
      if (f !== "run.json") state[`bsp/${f}`] = this.put(readFileSync(join(bspDir, f)));
    const signed = signPart(state as State, {
      part: "bsp",
      privateKey: this.busybox.key.seed,
      include: ["**"],
      exclude: ["_sigs/**"],
    });
    return { state: signed, digest: stateDigest(signed) };
  }

  /** A pvr bundle (.tgz) of `state` with its objects. */
  async bundle(state: State, file: string, scratch: string): Promise<void> {
    const store = new FsObjectStore(scratch);
    mkdirSync(scratch, { recursive: true });
    for (const [sha, body] of this.objects) await store.put(sha, Readable.from([body]));
    await writeBundle(createWriteStream(file), { state, store, gzip: true });
  }
}
