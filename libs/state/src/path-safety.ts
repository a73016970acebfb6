import { UnsafePathError } from "./errors.js";

/** Longest key or member path accepted (Linux PATH_MAX is 4096; states stay far below). */
export const MAX_PATH_LENGTH = 1024;
/** Longest single path segment (NAME_MAX on Linux). */
export const MAX_SEGMENT_LENGTH = 255;

/** Why `path` is unsafe as a relative path, or undefined when it is safe. */
export function unsafePathReason(path: string): string | undefined {
  if (path.length === 0) return "empty path";
  if (path.length > MAX_PATH_LENGTH) return `longer than ${MAX_PATH_LENGTH} characters`;
  if (path.startsWith("/")) return "absolute path";
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 0) return "contains a NUL character";
    if (c < 0x20 || c === 0x7f) return "contains a control character";
  }
  if (path.includes("\\")) return "contains a backslash";
  for (const segment of path.split("/")) {
    if (segment === "") return "empty path segment";
    if (segment === "..") return "contains a '..' segment";
    if (segment === ".") return "contains a '.' segment";
    if (segment.length > MAX_SEGMENT_LENGTH) {
      return `segment longer than ${MAX_SEGMENT_LENGTH} characters`;
    }
  }
  return undefined;
}

/** Throws UnsafePathError unless `path` is a safe relative path (call before any fs use). */
export function assertSafePath(path: string): void {
  const reason = unsafePathReason(path);
  if (reason !== undefined) throw new UnsafePathError(path, reason);
}
