// Public API of @statecast/board: the QEMU reference board's image builder and runner.

export { chooseAccel, kvmWorks } from "./accel.js";
export { type BspOptions, buildBsp } from "./bsp.js";
export { cacheRoot } from "./cache.js";
export { GRUB_SCRIPT, grubEnvFile } from "./grub.js";
export { GUEST_NET, GUEST_PATHS } from "./guest-init.js";
export { type BoardImageOptions, type BuiltImage, buildBoardImage } from "./image.js";
export { ESP_OFFSET, readEspFile, readGrubEnv } from "./image-files.js";
export { DEFAULT_KERNEL_PACKAGE, debianKernel } from "./kernel.js";
export {
  type BoardRunOptions,
  type Forward,
  OVMF_CODE,
  OVMF_VARS,
  processCpuSeconds,
  qemuArgs,
  type RunningBoard,
  startBoard,
} from "./qemu.js";
export { Qmp } from "./qmp.js";
export { BoardToolError } from "./run-tool.js";
export { RUNTIME_BINARIES } from "./runtime.js";
