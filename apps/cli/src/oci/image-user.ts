import { lstat, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { InitUser } from "./lxc-config.js";

export class ImageUserError extends Error {
  override readonly name = "ImageUserError";
}

/**
 * The uid/gid of the image's `User` (`uid`, `uid:gid`, `name`, `name:group`): numbers are
 * taken as they are, names are looked up in the unpacked rootfs' /etc/passwd and /etc/group.
 * An empty user means root, which needs no lxc.init.uid line.
 */
export async function resolveImageUser(user: string, rootfs: string): Promise<InitUser | null> {
  if (user === "" || user === "root" || user === "0" || user === "0:0") return null;
  const [owner = "", group] = user.split(":", 2);
  const passwd = await table(rootfs, "passwd");
  const account = /^\d+$/.test(owner) ? null : passwd.find((row) => row[0] === owner);
  if (!/^\d+$/.test(owner) && !account)
    throw new ImageUserError(
      `image User "${user}": no user "${owner}" in the image's /etc/passwd; use a numeric uid`,
    );
  const uid = account ? Number(account[2]) : Number(owner);
  let gid: number;
  if (group === undefined) gid = account ? Number(account[3]) : uid;
  else if (/^\d+$/.test(group)) gid = Number(group);
  else {
    const row = (await table(rootfs, "group")).find((r) => r[0] === group);
    if (!row)
      throw new ImageUserError(
        `image User "${user}": no group "${group}" in the image's /etc/group; use a numeric gid`,
      );
    gid = Number(row[2]);
  }
  if (!Number.isSafeInteger(uid) || !Number.isSafeInteger(gid))
    throw new ImageUserError(`image User "${user}" does not resolve to numeric ids`);
  return { uid, gid };
}

async function table(rootfs: string, name: "passwd" | "group"): Promise<string[][]> {
  const path = join(rootfs, "etc", name);
  try {
    // A symlink in an image could point at the host's own file: only read regular files.
    if (!(await lstat(path)).isFile()) return [];
    const text = await readFile(path, "utf8");
    return text.split("\n").map((row) => row.split(":"));
  } catch {
    return [];
  }
}
