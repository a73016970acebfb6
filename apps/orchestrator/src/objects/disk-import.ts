import { createReadStream } from "node:fs";
import { readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "@nestjs/common";
import { isObjectId, type ObjectStore, StateValidationError } from "@statecast/state";

/** Written into the old directory once every object in it is in sc_objects. */
export const IMPORTED_MARKER = "IMPORTED-INTO-sc_objects";

/**
 * Upgrades from the release that kept uploaded objects on disk (`$STATECAST_DATA_DIR/objects`):
 * every object there that sc_objects lacks is put into it (hash-checked like an upload), then a
 * marker file says it was done, so it runs once. The files are left in place (nothing is ever
 * lost); the directory can be removed once the marker is there. Safe on several replicas at
 * once: an object two of them put is stored once.
 */
export async function importDiskObjects(
  dir: string,
  store: ObjectStore,
  logger: Pick<Logger, "log" | "warn">,
): Promise<{ imported: number; present: number; refused: string[] } | undefined> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  if (names.includes(IMPORTED_MARKER)) return undefined;
  const objects = names.filter(isObjectId).sort();
  let imported = 0;
  let present = 0;
  const refused: string[] = [];
  for (const sha of objects) {
    if (await store.has(sha)) {
      present++;
      continue;
    }
    const path = join(dir, sha);
    const { size } = await stat(path);
    try {
      const result = await store.put(sha, createReadStream(path), { size });
      if (result.created) imported++;
      else present++;
    } catch (error) {
      if (!(error instanceof StateValidationError)) throw error;
      // A file whose bytes are not its name was never a good object: kept on disk, not imported.
      refused.push(sha);
      logger.warn(`not importing ${path}: ${error.message}`);
    }
  }
  try {
    await writeFile(
      join(dir, IMPORTED_MARKER),
      `${objects.length} objects are in sc_objects since ${new Date().toISOString()}; this directory is no longer read.\n`,
    );
  } catch (error) {
    // A read-only mount: the next start checks again (each object already there is skipped).
    logger.warn(`could not mark ${dir} as imported: ${(error as Error).message}`);
  }
  logger.log(
    `imported ${imported} objects from ${dir} (the previous release's disk store) into sc_objects; ${present} were there already${refused.length ? `; ${refused.length} refused (hash or size)` : ""}`,
  );
  return { imported, present, refused };
}
