import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { EspTrails } from "../boot/esp.js";
import type { Logger } from "../log.js";
import { objectIdsOf } from "../model/revision.js";
import { releaseRootVolume } from "../runtime/rootfs.js";
import type { ContainerRuntime } from "../runtime/runtime.js";
import type { LocalStore } from "../store/local-store.js";

/**
 * Removes trails and objects no longer referenced by the committed (`pv_rev`), tried
 * (`pv_try`) or previous revision, and container directories no container uses.
 */
export async function collectGarbage(
  store: LocalStore,
  runtime: ContainerRuntime,
  log: Logger,
  esp?: string,
) {
  const env = await store.readBootEnv();
  const record = await store.readRecord();
  const keep = new Set([env.pv_rev, env.pv_try, record.previous].filter((r) => r !== ""));
  const referenced = new Set<string>();
  for (const revision of keep) {
    const trail = await store.readTrail(revision);
    for (const id of trail ? objectIdsOf(trail.state) : []) referenced.add(id);
  }
  const removed = { trails: 0, objects: 0, containerDirs: 0 };
  for (const trail of await store.listTrails()) {
    if (keep.has(trail)) continue;
    await rm(store.trailDir(trail), { recursive: true, force: true });
    removed.trails++;
  }
  for (const id of await store.listObjects()) {
    if (referenced.has(id)) continue;
    await rm(store.objectPath(id), { force: true });
    removed.objects++;
  }
  const live = new Set(await runtime.list());
  for (const name of await readdir(store.containersDir)) {
    if (live.has(name)) continue;
    await releaseRootVolume(store.containerDirs(name));
    removed.containerDirs++;
  }
  if (esp) await new EspTrails(esp).prune(keep);
  log.info("gc", { kept: [...keep], ...removed, dir: join(store.root) });
}
