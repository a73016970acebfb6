import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canonicalJson, parseJson } from "@statecast/state";
import { exportBundle, importBundle } from "./bundle-io.js";
import { workdirAt } from "./layout.js";
import { committedObjects } from "./objects.js";
import { workdirStatus } from "./status.js";

const FIXTURES = "/work/shared/fixtures/pantavisor";
let base: string;
const sha = (data: Buffer) => createHash("sha256").update(data).digest("hex");

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), "statecast-bundle-"));
});
afterEach(() => rm(base, { recursive: true, force: true }));

async function tree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[path.slice(dir.length + 1)] = sha(await readFile(path));
  }
  return out;
}

describe("bundle import/export", () => {
  it.each(["pvwificonnect.tgz", "watchdog_pinger.tar"])(
    "imports %s into a clean working directory and round-trips it byte for byte",
    async (fixture) => {
      const first = join(base, "first");
      const imported = await importBundle(join(FIXTURES, fixture), first);
      expect(imported.objects).toBeGreaterThan(0);
      const wd = workdirAt(first);
      expect((await workdirStatus(wd)).changes).toEqual([]);
      // The working tree holds every object file with the content its key names.
      const state = parseJson(await readFile(wd.stateFile, "utf8")) as Record<string, unknown>;
      for (const [key, value] of Object.entries(state)) {
        if (typeof value === "string" && /^[0-9a-f]{64}$/.test(value))
          expect(sha(await readFile(join(first, key)))).toBe(value);
      }

      const objects = await committedObjects(wd);
      expect(objects).toHaveLength(imported.objects);
      for (const object of objects)
        expect(sha(await readFile(join(first, object.paths[0] ?? "")))).toBe(object.sha);

      const exportedA = join(base, "a.tgz");
      const a = await exportBundle(wd, exportedA);
      expect(a.digest).toBe(imported.digest);
      const second = join(base, "second");
      await importBundle(exportedA, second);
      const exportedB = join(base, "b.tgz");
      await exportBundle(workdirAt(second), exportedB);
      expect(sha(await readFile(exportedB))).toBe(sha(await readFile(exportedA)));
      const { ".statecast/log.ndjson": _, ...secondTree } = await tree(second);
      const { ".statecast/log.ndjson": __, ...firstTree } = await tree(first);
      expect(secondTree).toEqual(firstTree);
    },
  );

  it("keeps the bundle's state, canonicalised, as the committed state", async () => {
    const dir = join(base, "wd");
    await importBundle(join(FIXTURES, "watchdog_pinger.tar"), dir);
    const { execFileSync } = await import("node:child_process");
    const original = execFileSync("tar", ["-xOf", join(FIXTURES, "watchdog_pinger.tar"), "json"], {
      encoding: "utf8",
    });
    expect(await readFile(workdirAt(dir).stateFile, "utf8")).toBe(
      canonicalJson(parseJson(original)),
    );
  });

  it("exports only the parts asked for", async () => {
    const dir = join(base, "wd");
    await importBundle(join(FIXTURES, "pvwificonnect.tgz"), dir);
    const out = join(base, "part.tar");
    const result = await exportBundle(workdirAt(dir), out, ["pvwificonnect"]);
    expect(result.objects).toBe(3);
    await expect(exportBundle(workdirAt(dir), out, ["nope"])).rejects.toThrow(/no part "nope"/);
  });

  it("refuses a non-empty target and a corrupt bundle, leaving nothing behind", async () => {
    const dir = join(base, "busy");
    await importBundle(join(FIXTURES, "watchdog_pinger.tar"), dir);
    await expect(importBundle(join(FIXTURES, "watchdog_pinger.tar"), dir)).rejects.toThrow(
      /is not empty/,
    );
    const broken = Buffer.from(await readFile(join(FIXTURES, "watchdog_pinger.tar")));
    // Flip a byte inside the first object's content (the member after `json`).
    const at = broken.indexOf(Buffer.from("objects/")) + 512 + 10;
    broken[at] = (broken[at] ?? 0) ^ 0xff;
    const file = join(base, "broken.tar");
    await writeFile(file, broken);
    const target = join(base, "target");
    await expect(importBundle(file, target)).rejects.toThrow(/object [0-9a-f]{64}/);
    expect(await readdir(target)).toEqual([]);
  });
});
