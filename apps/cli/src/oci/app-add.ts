import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { copyFile, lstat, mkdir, mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { runJson, srcJson } from "./app-manifest.js";
import { type AppOptions, AppSpecError, appSpec } from "./app-spec.js";
import { type FetchOptions, fetchImage } from "./fetch-image.js";
import { parseImageRef } from "./image-ref.js";
import { resolveImageUser } from "./image-user.js";
import { initCommand, writeInitWrapper } from "./init-command.js";
import { imageArgv, lxcContainerConf } from "./lxc-config.js";
import { packRootfs, unpackRootfs } from "./rootfs.js";
import { findExecutable } from "./run-tool.js";

export interface AppAddRequest extends AppOptions, FetchOptions {
  /** the working directory whose `<name>/` receives the container's files. */
  dir: string;
  name: string;
  from: string;
  /** path of mksquashfs; null forces the tar fallback; undefined looks it up on PATH. */
  mksquashfs?: string | null;
}

/** What `app add` wrote. */
export interface AppAddResult {
  name: string;
  rootVolume: "root.squashfs" | "root.tar";
  rootSha256: string;
  rootSize: number;
  sourceDigest: string;
  manifestDigest: string;
  /** the state keys written, relative to the working directory. */
  paths: string[];
}

/** Turns an OCI/Docker image into `<name>/{root.*,lxc.container.conf,run.json,src.json}`. */
export async function addApp(request: AppAddRequest): Promise<AppAddResult> {
  const app = appSpec(request.name, request);
  const ref = parseImageRef(request.from);
  const partDir = join(request.dir, app.name);
  await assertPlainDirOrMissing(partDir);
  const mksquashfs =
    request.mksquashfs === undefined ? await findExecutable("mksquashfs") : request.mksquashfs;
  const work = await mkdtemp(join(tmpdir(), "statecast-app-"));
  try {
    const image = await fetchImage(ref, work, request);
    const rootfs = await unpackRootfs(image.layoutDir, work);
    const user = await resolveImageUser(image.config.user, rootfs);
    const out = join(work, "out");
    await mkdir(out);
    const init = initCommand(imageArgv(image.config));
    if (init.wrapper) await writeInitWrapper(rootfs, init.wrapper);
    const packed = await packRootfs(rootfs, out, mksquashfs);
    const conf = lxcContainerConf(app, image.config, packed.volume, user, init);
    const run = runJson(app, image.config, packed.volume);
    const src = srcJson(app, ref, image.config, {
      source: image.sourceDigest,
      manifest: image.manifestDigest,
    });
    const { sha256, size } = await hashFile(packed.path);
    await mkdir(partDir, { recursive: true });
    const stale = packed.volume === "root.squashfs" ? "root.tar" : "root.squashfs";
    await rm(join(partDir, stale), { force: true });
    await moveInto(packed.path, join(partDir, packed.volume));
    await writeAtomic(join(partDir, "lxc.container.conf"), conf);
    await writeAtomic(join(partDir, "run.json"), `${JSON.stringify(run, null, 2)}\n`);
    await writeAtomic(join(partDir, "src.json"), `${JSON.stringify(src, null, 2)}\n`);
    return {
      name: app.name,
      rootVolume: packed.volume,
      rootSha256: sha256,
      rootSize: size,
      sourceDigest: image.sourceDigest,
      manifestDigest: image.manifestDigest,
      paths: [packed.volume, "lxc.container.conf", "run.json", "src.json"].map(
        (file) => `${app.name}/${file}`,
      ),
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function assertPlainDirOrMissing(path: string): Promise<void> {
  try {
    const info = await lstat(path);
    if (!info.isDirectory())
      throw new AppSpecError(
        `${path} exists and is not a directory; remove it or pick another name`,
      );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

async function hashFile(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  await pipeline(createReadStream(path), async (chunks: AsyncIterable<Buffer>) => {
    for await (const chunk of chunks) {
      hash.update(chunk);
      size += chunk.length;
    }
  });
  return { sha256: hash.digest("hex"), size };
}

// The temp dir may live on another filesystem: copy next to the target, then rename.
async function moveInto(from: string, to: string): Promise<void> {
  const temp = `${to}.tmp-${process.pid}`;
  await copyFile(from, temp);
  await rename(temp, to);
}

async function writeAtomic(path: string, text: string): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  await writeFile(temp, text);
  await rename(temp, path);
}
