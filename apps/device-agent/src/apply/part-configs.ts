import { chmod, mkdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../fs/atomic.js";
import type { PartSpec, RevisionSpec } from "../model/revision.js";
import { type RenderOptions, renderLxcConfig } from "../runtime/lxc-config.js";
import type { AgentMode } from "../runtime/lxc-policy.js";
import { scopeOf } from "../runtime/lxc-policy.js";
import type { LocalStore } from "../store/local-store.js";

/** The agent's mode as the LXC policy sees it: a board's bootloader backend means a board. */
export function agentMode(store: LocalStore): AgentMode {
  return store.boot.board ? "board" : "host-process";
}

/** Renders a part's LXC config with its scope and the agent's mode (throws LxcConfigRefused). */
export async function renderPartConfig(
  store: LocalStore,
  part: PartSpec,
  options: Omit<RenderOptions, "part" | "scope" | "mode">,
): Promise<string> {
  const partConfig = await readFile(store.objectPath(part.configObject), "utf8");
  return renderLxcConfig(partConfig, {
    ...options,
    part: part.name,
    scope: scopeOf(part.group),
    mode: agentMode(store),
  });
}

/**
 * Before anything is installed: every part's LXC config through the scope policy, so a
 * refused key ends in WONTGO (nothing changed) rather than a failed try.
 */
export async function checkPartConfigs(store: LocalStore, spec: RevisionSpec): Promise<void> {
  for (const part of spec.parts) {
    const dirs = store.containerDirs(part.containerName);
    const volumes: Record<string, string> = {};
    for (const volume of part.volumes)
      volumes[`/volumes/${part.name}/${volume.name}`] = store.volumeDir(
        part.name,
        part.containerName,
        volume,
      );
    await renderPartConfig(store, part, { name: part.containerName, dirs, logFile: "", volumes });
  }
}

/**
 * `_config/<part>/<path>` files copied into the trail (`<trail>/config/<part>/<path>`), so a
 * container's bind mount never shares an inode with the store's objects. An inline JSON one is
 * written as its canonical text (the form the state digest covers).
 */
export async function copyConfigFiles(
  store: LocalStore,
  revision: string,
  part: PartSpec,
): Promise<{ source: string; path: string }[]> {
  const copies: { source: string; path: string }[] = [];
  for (const file of part.configFiles) {
    const target = join(store.trailDir(revision), "config", part.name, file.path);
    await mkdir(dirname(target), { recursive: true });
    const bytes = "object" in file ? await readFile(store.objectPath(file.object)) : file.json;
    await writeFileAtomic(target, bytes);
    await chmod(target, 0o444); // any user of the container may read it, none may write

    copies.push({ source: target, path: file.path });
  }
  return copies;
}
