/** Bounds that keep a hostile bundle from exhausting disk, memory or time. */
export interface BundleLimits {
  /** Largest `json` (state) member, bytes. */
  maxStateBytes: number;
  /** Largest single object, bytes. */
  maxObjectBytes: number;
  /** Largest sum of member sizes, bytes (after decompression). */
  maxTotalBytes: number;
  /** Most members (objects + state + directories). */
  maxMembers: number;
}

/** Defaults sized for real device states (rootfs squashfs images of a few hundred MB). */
export const DEFAULT_BUNDLE_LIMITS: BundleLimits = {
  maxStateBytes: 16 * 1024 * 1024,
  maxObjectBytes: 4 * 1024 * 1024 * 1024,
  maxTotalBytes: 16 * 1024 * 1024 * 1024,
  maxMembers: 100_000,
};
